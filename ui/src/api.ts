// The command API: `archsim serve` over HTTP (every call carries the
// per-launch token), or the desktop shell's Tauri commands. Both are thin
// adapters over archsim-app; every answer is a type generated from Rust
// (src/generated).
import { invoke } from "@tauri-apps/api/core";
import type { Applied } from "./generated/Applied";
import type { CommandError } from "./generated/CommandError";
import type { ConnectCheck } from "./generated/ConnectCheck";
import type { CostOptions } from "./generated/CostOptions";
import type { CostPanel } from "./generated/CostPanel";
import type { ReportOptions } from "./generated/ReportOptions";
import type { RunReport } from "./generated/RunReport";
import type { DirListing } from "./generated/DirListing";
import type { DocumentView } from "./generated/DocumentView";
import type { Edit } from "./generated/Edit";
import type { ExportedView } from "./generated/ExportedView";
import type { ImportedView } from "./generated/ImportedView";
import type { TemplateOptions } from "./generated/TemplateOptions";
import type { FormField } from "./generated/FormField";
import type { PaletteGroup } from "./generated/PaletteGroup";
import type { RecentFile } from "./generated/RecentFile";
import type { RecoveryOffer } from "./generated/RecoveryOffer";
import type { StarterInfo } from "./generated/StarterInfo";
import type { LiveControl } from "./generated/LiveControl";
import type { LiveStart } from "./generated/LiveStart";
import type { LiveView } from "./generated/LiveView";
import type { RequestTrace } from "./generated/RequestTrace";
import type { SeriesView } from "./generated/SeriesView";

/** Which files the server-side picker lists. */
export type FileKind = "design" | "template";

const TOKEN_KEY = "archsim-token";

/** The token arrives in the URL fragment once; it is kept for reloads of this tab. */
export function readToken(): string {
  const match = /token=([0-9a-f]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, "", window.location.pathname);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

/** A command the core refused, with its message and suggestion. */
export class ApiError extends Error {
  readonly code: string;
  readonly suggestion: string | null;
  constructor(e: CommandError | { code: string; message: string; suggestion: string | null }) {
    super(e.message);
    this.code = e.code;
    this.suggestion = e.suggestion;
  }
}

let token = "";

export function setToken(t: string) {
  token = t;
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/api/${path}`, {
    method,
    headers: {
      "x-archsim-token": token,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError({ code: "bad_response", message: `${res.status}: ${text}`, suggestion: null });
  }
  if (!res.ok) {
    const e = data as { code?: string; message?: string; suggestion?: string | null } | null;
    throw new ApiError({
      code: e?.code ?? "http_" + res.status,
      message: e?.message ?? `${res.status} ${res.statusText}: ${text}`,
      suggestion: e?.suggestion ?? null,
    });
  }
  return data as T;
}

/** Running inside the desktop shell (Tauri) rather than a browser. */
export const native = typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;

async function command<T>(name: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(name, args);
  } catch (e) {
    const err = e as { code?: string; message?: string; suggestion?: string | null } | string;
    throw typeof err === "string"
      ? new ApiError({ code: "desktop", message: err, suggestion: null })
      : new ApiError({ code: err.code ?? "desktop", message: err.message ?? String(e), suggestion: err.suggestion ?? null });
  }
}

const desktop = {
  document: () => command<DocumentView>("document"),
  palette: () => command<PaletteGroup[]>("palette_groups"),
  starters: () => command<StarterInfo[]>("starter_designs"),
  componentForm: (kind: string) => command<FormField[]>("form_for_component", { kind }),
  connectionForm: (meaning: string) => command<FormField[]>("form_for_connection", { meaning }),
  canConnect: (from: string, to: string) => command<ConnectCheck>("can_connect", { from, to }),
  edit: (edit: Edit) => command<Applied>("edit", { edit }),
  undo: () => command<DocumentView>("undo"),
  redo: () => command<DocumentView>("redo"),
  newDesign: (starter: string) => command<DocumentView>("new_design", { starter }),
  /** The desktop shell asks with a native dialog; the path argument is not used. */
  open: () => command<DocumentView>("open_design"),
  save: () => command<DocumentView>("save"),
  saveAs: () => command<DocumentView>("save_as"),
  /** The template from the native open dialog; the path argument is not used. */
  importTemplate: () => command<ImportedView>("import_template"),
  exportTemplate: (options: TemplateOptions) => command<ExportedView>("export_template", { options }),
  files: (): Promise<DirListing> => Promise.reject(new ApiError({ code: "desktop", message: "the desktop shell uses native file dialogs", suggestion: null })),
  recent: (): Promise<RecentFile[]> => Promise.reject(new ApiError({ code: "desktop", message: "the desktop shell uses native file dialogs", suggestion: null })),
  recoveryOffer: () => command<RecoveryOffer | null>("recovery_offer"),
  recover: () => command<DocumentView>("recover"),
  discardRecovery: () => command<DocumentView>("discard_recovery"),
  costPanel: (options: CostOptions) => command<CostPanel>("cost_panel", { options }),
  runReport: (options: ReportOptions) => command<RunReport>("run_report", { options }),
  liveStart: (start: LiveStart) => command<LiveView>("live_start", { start }),
  livePoll: () => command<LiveView | null>("live_poll"),
  liveControl: (control: LiveControl) => command<LiveView>("live_control", { control }),
  liveStop: () => command<null>("live_stop"),
  liveSeries: (id: string) => command<SeriesView>("live_series", { id }),
  liveTraces: () => command<RequestTrace[]>("live_traces"),
  present: (scenario: string | null) => command<string>("present", { scenario }).then(() => undefined),
};

const http = {
  document: () => call<DocumentView>("GET", "document"),
  palette: () => call<PaletteGroup[]>("GET", "palette"),
  starters: () => call<StarterInfo[]>("GET", "starters"),
  componentForm: (kind: string) => call<FormField[]>("GET", `form/component/${kind}`),
  connectionForm: (meaning: string) => call<FormField[]>("GET", `form/connection/${meaning}`),
  canConnect: (from: string, to: string) => call<ConnectCheck>("POST", "can_connect", { from, to }),
  edit: (edit: Edit) => call<Applied>("POST", "edit", edit),
  undo: () => call<DocumentView>("POST", "undo"),
  redo: () => call<DocumentView>("POST", "redo"),
  newDesign: (starter: string) => call<DocumentView>("POST", "new", { starter }),
  open: (path: string) => call<DocumentView>("POST", "open", { path }),
  save: () => call<DocumentView>("POST", "save"),
  saveAs: (path: string) => call<DocumentView>("POST", "save_as", { path }),
  importTemplate: (path: string) => call<ImportedView>("POST", "import", { path }),
  exportTemplate: (options: TemplateOptions) => call<ExportedView>("POST", "export", options),
  files: (dir?: string, kind: FileKind = "design") =>
    call<DirListing>("GET", `files?kind=${kind}${dir ? `&dir=${encodeURIComponent(dir)}` : ""}`),
  recent: () => call<RecentFile[]>("GET", "recent"),
  recoveryOffer: () => call<RecoveryOffer | null>("GET", "recovery"),
  recover: () => call<DocumentView>("POST", "recovery/recover"),
  discardRecovery: () => call<DocumentView>("POST", "recovery/discard"),
  costPanel: (options: CostOptions) => call<CostPanel>("POST", "cost", options),
  runReport: (options: ReportOptions) => call<RunReport>("POST", "report", options),
  liveStart: (start: LiveStart) => call<LiveView>("POST", "live/start", start),
  livePoll: () => call<LiveView | null>("GET", "live"),
  liveControl: (control: LiveControl) => call<LiveView>("POST", "live/control", control),
  liveStop: () => call<null>("POST", "live/stop"),
  liveSeries: (id: string) => call<SeriesView>("GET", `live/series/${encodeURIComponent(id)}`),
  liveTraces: () => call<RequestTrace[]>("GET", "live/traces"),
  present: (scenario: string | null) => call<{ presenter: string }>("POST", "present", { scenario }).then(() => undefined),
};

export const api: typeof http = native ? desktop : http;

/** Desktop only: the native save dialog, then the core writes the template
 * and its manifests beside it. Returns the files written. Browsers download
 * the text instead (Templates.tsx). */
/** Desktop only: the native save dialog for a rendered diagram image.
 * Returns the file written. */
export const saveImageNatively = (fileName: string, bytes: number[]) => command<string>("save_image", { fileName, bytes });

export const saveTemplateNatively = (options: TemplateOptions) => command<string[]>("save_template", { options });

/** Desktop only: simulates, asks where with the native save dialog, and
 * writes the HTML report with its two CSV files beside it. Returns the
 * files written. Browsers download the three files instead (CostPanel.tsx). */
export const saveReportNatively = (options: ReportOptions) => command<string[]>("save_report", { options });
