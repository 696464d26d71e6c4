// Size limits shared by every way in (web shell / IPC request schemas and the CLI's input files), so a
// file the command line accepts is one the app accepts, and the other way round.

/** Offline cloud configuration (pasted or imported aliyun CLI JSON), in characters. */
export const MAX_SNAPSHOT_CHARS = 8_000_000;
/** Server evidence text (output of the read-only check script, or pasted ss / firewall output), in characters. */
export const MAX_SERVER_EVIDENCE_CHARS = 1_000_000;
