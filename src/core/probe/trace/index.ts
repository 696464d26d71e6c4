// Hop-by-hop path evidence (issue 12): the public surface of the trace engine.
//   runTrace(target, { port, maxHops, timeoutMs, signal, onHop }) → TraceFact   (run.ts: tool choice, bounds)
//   parseTrace(text, format?)                                                      (parse.ts: pure parsers)
//   summarizeTrace(fact) → zones, last answering hop, where the probes stopped     (classify.ts: pure)
// Methods and privileges: TCP SYN with rising TTL (`traceroute -T` on Linux, `traceroute -P tcp` on macOS)
// needs raw sockets — root or CAP_NET_RAW; without them UDP `traceroute` (or `tracepath`) on Linux and
// macOS, and ICMP `tracert` on Windows, need no privilege. The method used is in TraceFact.method.
export type { HopUnreachable, TraceFact, TraceHop, TraceMethod, TraceTool } from './types';
export { MAX_TRACE_HOPS, findTool, planTrace, rawSocketsAllowed, runTrace, targetReached, type TraceOptions, type TracePlan } from './run';
export { detectTraceFormat, parseTrace, tokenAddress, type TraceFormat, type TraceParse } from './parse';
export { classifyAddress, summarizeTrace, type ClassifiedHop, type HopClass, type HopZone, type TraceSummary } from './classify';
