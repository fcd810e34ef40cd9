import { beforeEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn<(name: string, args?: Record<string, unknown>) => Promise<unknown>>(async () => "answer");
vi.mock("@tauri-apps/api/core", () => ({ invoke: (name: string, args?: Record<string, unknown>) => invoke(name, args) }));

const { ApiError, api, desktop, http, saveImageNatively, setToken } = await import("./api");
const { COMMANDS } = await import("./generated/commands");

type Sent = { url: string; method: string; headers: Record<string, string>; body: unknown };
let sent: Sent[] = [];

beforeEach(() => {
  sent = [];
  invoke.mockClear();
  setToken("t0k3n");
  vi.stubGlobal("fetch", async (url: string, init: RequestInit) => {
    sent.push({
      url,
      method: init.method ?? "GET",
      headers: init.headers as Record<string, string>,
      body: init.body === undefined ? undefined : JSON.parse(init.body as string),
    });
    return new Response(JSON.stringify({ ok: true }), { status: 200 });
  });
});

describe("the browser's client", () => {
  it("is the api outside the desktop shell, with every command of the table", () => {
    expect(api).toBe(http);
    expect(Object.keys(http).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it("sends each kind of argument where the route says, with the token", async () => {
    await http.document();
    await http.componentForm("lambda_function");
    await http.canConnect("a", "b");
    await http.edit({ op: "delete", ids: ["x"] });
    await http.undo();
    await http.open("/tmp/d.archsim.json");
    await http.liveSeries("orders fn");
    await http.present(null);
    expect(sent.map((s) => [s.method, s.url, s.body])).toEqual([
      ["GET", "/api/document", undefined],
      ["GET", "/api/form/component/lambda_function", undefined],
      ["POST", "/api/can_connect", { from: "a", to: "b" }],
      ["POST", "/api/edit", { op: "delete", ids: ["x"] }],
      ["POST", "/api/undo", undefined],
      ["POST", "/api/open", { path: "/tmp/d.archsim.json" }],
      ["GET", "/api/live/series/orders%20fn", undefined],
      ["POST", "/api/present", { scenario: null }],
    ]);
    expect(sent.every((s) => s.headers["x-archsim-token"] === "t0k3n")).toBe(true);
    expect(sent[2].headers["content-type"]).toBe("application/json");
    expect(sent[4].headers["content-type"]).toBeUndefined();
  });

  it("leaves empty query arguments out", async () => {
    await http.files(undefined, "template");
    await http.files("/home/me/designs", "design");
    await http.files();
    expect(sent.map((s) => s.url)).toEqual([
      "/api/files?kind=template",
      "/api/files?dir=%2Fhome%2Fme%2Fdesigns&kind=design",
      "/api/files",
    ]);
  });

  it("refuses desktop-only commands without a request", async () => {
    await expect(http.saveImage("d.png", [1])).rejects.toBeInstanceOf(ApiError);
    expect(sent).toEqual([]);
  });
});

describe("the desktop's client", () => {
  it("invokes the Tauri command, arguments by their camelCase name", async () => {
    await desktop.palette();
    await desktop.canConnect("a", "b");
    await desktop.edit({ op: "delete", ids: ["x"] });
    await saveImageNatively("d.png", [1, 2]);
    expect(invoke.mock.calls).toEqual([
      ["palette_groups", undefined],
      ["can_connect", { from: "a", to: "b" }],
      ["edit", { edit: { op: "delete", ids: ["x"] } }],
      ["save_image", { fileName: "d.png", bytes: [1, 2] }],
    ]);
  });

  it("sends no chosen path: the shell asks its native dialog", async () => {
    await desktop.open("ignored");
    await desktop.importTemplate("");
    expect(invoke.mock.calls).toEqual([
      ["open_design", undefined],
      ["import_template", undefined],
    ]);
  });

  it("refuses the browser's own commands", async () => {
    await expect(desktop.files()).rejects.toMatchObject({ code: "desktop" });
    expect(invoke).not.toHaveBeenCalled();
  });
});
