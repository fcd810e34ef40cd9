import { describe, expect, it } from "vitest";
import type { DocumentView } from "./generated/DocumentView";
import { NODE_H, NODE_W } from "./geometry";
import { layered } from "./layout";

type C = { id: string; kind: string };
function doc(components: C[], connections: [string, string][], groups: { id: string; kind: string; owner: string | null; members: string[] }[] = []): DocumentView {
  return {
    components: components.map((c) => ({ ...c, name: c.id, label: c.kind, position: { x: 0, y: 0 } })),
    connections: connections.map(([from, to]) => ({ id: `${from}--${to}`, from, to, label: "invokes", meaning: "invoke_sync" })),
    groups: groups.map((g) => ({ ...g, name: g.id })),
  } as unknown as DocumentView;
}

function chains(n: number): DocumentView {
  const components: C[] = [];
  const connections: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    const ids = ["client", "api", "fn", "table"].map((k) => `${k}-${i}`);
    ids.forEach((id, j) => components.push({ id, kind: ["client", "api_gateway", "lambda_function", "dynamodb_table"][j] }));
    for (let j = 0; j < 3; j++) connections.push([ids[j], ids[j + 1]]);
  }
  return doc(components, connections);
}

const overlap = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.abs(a.x - b.x) < NODE_W && Math.abs(a.y - b.y) < NODE_H;

describe("layered layout (ELK)", () => {
  it("flows left to right along the connections", async () => {
    const moves = new Map((await layered(chains(1))).map((m) => [m.id, m.position]));
    const xs = ["client-0", "api-0", "fn-0", "table-0"].map((id) => moves.get(id)!.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThan(xs[i - 1] + NODE_W);
  });

  it("keeps a cluster's owner and members together, with no outsider among them", async () => {
    const d = doc(
      [
        { id: "alb", kind: "alb" },
        { id: "cluster", kind: "ecs_cluster" },
        { id: "svc-a", kind: "ecs_service" },
        { id: "svc-b", kind: "ecs_service" },
        { id: "fargate", kind: "fargate" },
        { id: "table", kind: "dynamodb_table" },
      ],
      [
        ["alb", "svc-a"],
        ["alb", "svc-b"],
        ["svc-a", "fargate"],
        ["svc-b", "fargate"],
        ["svc-a", "table"],
      ],
      [{ id: "g", kind: "ecs_cluster", owner: "cluster", members: ["svc-a", "svc-b", "fargate"] }],
    );
    const at = new Map((await layered(d)).map((m) => [m.id, m.position]));
    const inside = ["cluster", "svc-a", "svc-b", "fargate"].map((id) => at.get(id)!);
    const box = {
      x0: Math.min(...inside.map((p) => p.x)),
      y0: Math.min(...inside.map((p) => p.y)),
      x1: Math.max(...inside.map((p) => p.x + NODE_W)),
      y1: Math.max(...inside.map((p) => p.y + NODE_H)),
    };
    for (const id of ["alb", "table"]) {
      const p = at.get(id)!;
      const within = p.x + NODE_W > box.x0 && p.x < box.x1 && p.y + NODE_H > box.y0 && p.y < box.y1;
      expect(within, `${id} sits inside the cluster's box`).toBe(false);
    }
  });

  it("lays 100 separate chains out as a grid, not one column, with no card on another", async () => {
    const started = performance.now();
    const moves = await layered(chains(100));
    console.log(`100 chains laid out in ${Math.round(performance.now() - started)} ms`);
    expect(moves).toHaveLength(400);
    const xs = moves.map((m) => m.position.x);
    const ys = moves.map((m) => m.position.y);
    const width = Math.max(...xs) + NODE_W - Math.min(...xs);
    const height = Math.max(...ys) + NODE_H - Math.min(...ys);
    expect(width / height).toBeGreaterThan(0.5);
    expect(width / height).toBeLessThan(4);
    const on: string[] = [];
    for (let i = 0; i < moves.length; i++)
      for (let j = i + 1; j < moves.length; j++) if (overlap(moves[i].position, moves[j].position)) on.push(`${moves[i].id} on ${moves[j].id}`);
    expect(on).toEqual([]);
  }, 30_000);
});
