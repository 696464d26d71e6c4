// The contract's result and payload types: type-only declarations (no runtime code), split from api.ts,
// which re-exports them.
import type { ProviderId } from '../cloud/provider';
import type { Lang, Localized } from '../diagnosis/types';
import type { Session } from '../session/types';

// ---------------------------------------------------------------------------------------------------
// Result and payload types

export interface AppInfo {
  version: string;
  /** Which shell serves the UI. */
  shell: 'electron' | 'web';
  platform: string;
  /** The OS locale, mapped to the languages the app speaks. */
  osLang: Lang;
  capabilities: {
    /** Native open/save dialogs (Electron); the web shell picks files inside its sessions folder. */
    nativeDialogs: boolean;
    /** PDF export through Electron's printing. */
    pdf: boolean;
    /** An OS keychain (safeStorage) is available to keep a typed AccessKey. */
    keychain: boolean;
  };
  /** Where sessions and reports go when no dialog is shown (web shell). */
  dataDir: string;
  /** The clouds this build reads, and what each can do beyond reading (from the provider registry). */
  clouds?: CloudCapabilities[];
}

export interface CloudCapabilities {
  id: ProviderId;
  name: Localized;
  /** Runs the read-only server script through the cloud's own agent (Alibaba Cloud Assistant), no SSH. */
  remoteScript: boolean;
  /** Applies and undoes fixes through the cloud API. */
  apply: boolean;
}

export interface TargetCheck {
  kind: 'ipv4' | 'ipv6' | 'hostname';
  normalized: string;
  /** Private / loopback / link-local address: cloud public access rules do not apply. */
  privateAddress: boolean;
}

export interface ProfileInfo {
  name: string;
  mode: string;
  regionId?: string;
  supported: boolean;
  unsupportedReason?: string;
  accessKeyIdRedacted?: string;
  current: boolean;
  /** Why it cannot be used, in both languages (e.g. KooCLI keeps its keys encrypted: how to hand them over). */
  unsupportedText?: Localized;
}

export interface ProfileList {
  /** The CLI's config file. */
  path: string;
  profiles: ProfileInfo[];
  /** Whose CLI: aliyun (Alibaba Cloud) or KooCLI `hcloud` (Huawei Cloud). */
  provider?: ProviderId;
  /** The keys in the file are encrypted (KooCLI's default): none can be used; `note` says what to do instead. */
  encrypted?: boolean;
  note?: Localized;
}

export interface CredentialStatus {
  stored: boolean;
  accessKeyIdRedacted: string | null;
  /** Kept in the OS keychain across launches (false: this run only). */
  persistent: boolean;
  keychain: boolean;
  /** AccessKey variables are set in the app's environment (the "environment" cloud source can be used). */
  environment: boolean;
  /** The cloud this status is about (each cloud has its own stored key and variables). */
  provider?: ProviderId;
  /** The environment variables the "environment" source reads for this cloud, in the order they are tried. */
  environmentVariables?: string[];
  /** Huawei Cloud: the project id stored with the key (not secret). */
  projectId?: string | null;
}

export type ContactKind = 'egressIpUrls' | 'controlHosts' | 'dnsServers';

/** Outside contacts: what runs use now, where each list comes from, the shipped defaults, the file. */
export interface ContactSettings {
  effective: Record<ContactKind, string[]>;
  sources: Record<ContactKind, 'explicit' | 'env' | 'file' | 'default'>;
  defaults: Record<ContactKind, string[]>;
  configPath: string;
}

export interface ImportCheck {
  /** The cloud the pasted documents belong to (recognised from the documents themselves). */
  provider?: ProviderId;
  region: string;
  instanceId: string | null;
  securityGroups: number;
  rules: number;
  networkAcls: number;
  warnings: string[];
  /** What the next `aliyun` commands need (groups on the instance, its vSwitch, the ACLs read). */
  securityGroupIds?: string[];
  /** Groups on the instance whose rules are not in the pasted documents yet. */
  missingGroupIds?: string[];
  vSwitchId?: string;
  networkAclIds?: string[];
}

export interface ServerScript {
  os: 'linux' | 'windows';
  script: string;
  /** How to run it by hand (where to paste it, as which user). */
  howTo: string;
}

export interface SessionRef {
  ref: string;
  name: string;
  /** Human location (full path in Electron, folder-relative in the web shell). */
  display: string;
  savedAt?: string;
}

export interface OpenedSession extends SessionRef {
  session: Session;
  readOnly: boolean;
  migratedFrom: number | null;
  warnings: string[];
  /** The bundled example (opened read-only, never overwritten). */
  example?: boolean;
}

export interface SavedSession extends SessionRef {
  bytes: number;
  backup: string | null;
}

export interface ExportedReport {
  /** Where it was written (null when the user cancelled the dialog). */
  path: string | null;
  display: string | null;
  format: 'md' | 'html' | 'pdf';
  bytes: number;
  /**
   * Web shell only: the report's file name in its reports folder, offered to the browser as a download at
   * `/api/download/<name>?token=<this launch's token>` (served as an attachment).
   */
  download?: string;
}

export type MenuCommand =
  | 'new'
  | 'open'
  | 'save'
  | 'saveAs'
  | 'export'
  | 'example'
  | 'about'
  | 'lang:en'
  | 'lang:zh-CN'
  | 'theme:light'
  | 'theme:dark'
  | 'theme:system';
