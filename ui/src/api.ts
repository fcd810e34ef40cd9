// The command API: `archsim serve` over HTTP (every call carries the
// per-launch token), or the desktop shell's Tauri commands. Both are thin
// adapters over archsim-app. The commands, their routes, Tauri names,
// arguments and answer types are archsim-app's command table, generated
// into src/generated/commands.ts; both clients are built from it here.
import { invoke } from "@tauri-apps/api/core";
import type { CommandError } from "./generated/CommandError";
import { COMMANDS, type CommandSpec, type Commands } from "./generated/commands";
import type { ReportOptions } from "./generated/ReportOptions";
import type { TemplateOptions } from "./generated/TemplateOptions";

/** Which files the server-side picker lists. */
export type { FileKind } from "./generated/FileKind";

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
  // A refusal comes as 200 with the refused header (archsim serve's
  // REFUSED_HEADER), other failures with their status.
  if (!res.ok || res.headers.has("x-archsim-refused")) {
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

/** Over HTTP: the arguments go where the command's route says. */
function overHttp(spec: CommandSpec, values: unknown[]): Promise<unknown> {
  if (!spec.http) {
    return Promise.reject(new ApiError({ code: "desktop_only", message: `archsim serve has no "${spec.name}" command; only the desktop shell has it`, suggestion: null }));
  }
  let path = spec.http.path;
  const query: string[] = [];
  let body: unknown = undefined;
  let fields: Record<string, unknown> | undefined;
  spec.args.forEach((arg, i) => {
    const value = values[i];
    switch (arg.in) {
      case "path":
        path = path.replace(`{${arg.name}}`, encodeURIComponent(String(value)));
        break;
      case "query":
        if (value !== undefined && value !== null && value !== "") query.push(`${arg.name}=${encodeURIComponent(String(value))}`);
        break;
      case "body":
        body = value;
        break;
      case "field":
      case "chosen_path":
        fields = { ...fields, [arg.name]: value };
        break;
      case "desktop":
        break;
    }
  });
  return call(spec.http.method, query.length ? `${path}?${query.join("&")}` : path, fields ?? body);
}

/** In the desktop shell: a Tauri command, its arguments by name. A chosen
 * path is not sent: the shell asks its native dialog. */
function onDesktop(spec: CommandSpec, values: unknown[]): Promise<unknown> {
  if (!spec.desktop) {
    return Promise.reject(new ApiError({ code: "desktop", message: `the desktop shell has no "${spec.name}" command; it uses native file dialogs`, suggestion: null }));
  }
  let args: Record<string, unknown> | undefined;
  spec.args.forEach((arg, i) => {
    if (arg.in !== "chosen_path") args = { ...args, [arg.key]: values[i] };
  });
  return command(spec.name, args);
}

/** Every command of the generated table as a function sending it one way. */
function client(send: (spec: CommandSpec, values: unknown[]) => Promise<unknown>): Commands {
  const functions = Object.entries(COMMANDS).map(([name, spec]) => [name, (...values: unknown[]) => send(spec, values)]);
  return Object.fromEntries(functions) as Commands;
}

/** The commands as the desktop shell's Tauri commands. */
export const desktop = client(onDesktop);
/** The commands over `archsim serve`'s HTTP API. */
export const http = client(overHttp);

export const api: Commands = native ? desktop : http;

/** Desktop only: the native save dialog for a rendered diagram image.
 * Returns the file written. */
export const saveImageNatively = (fileName: string, bytes: number[]) => desktop.saveImage(fileName, bytes);

/** Desktop only: the native save dialog, then the core writes the template
 * and its manifests beside it. Returns the files written. Browsers download
 * the text instead (Templates.tsx). */
export const saveTemplateNatively = (options: TemplateOptions) => desktop.saveTemplate(options);

/** Desktop only: the native folder dialog, then the core writes the SAM
 * project there (a re-export keeps the user's handlers). Returns what was
 * written and kept. Browsers download a zip instead (Templates.tsx). */
export const saveProjectNatively = () => desktop.saveProject();

/** Desktop only: simulates, asks where with the native save dialog, and
 * writes the HTML report with its two CSV files beside it. Returns the
 * files written. Browsers download the three files instead (CostPanel.tsx). */
export const saveReportNatively = (options: ReportOptions) => desktop.saveReport(options);
