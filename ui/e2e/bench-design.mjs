// The live-view benchmark's design: 25 chains client -> API Gateway ->
// Lambda -> DynamoDB (100 components, 75 connections), each client sending
// 40 requests/s (Poisson), 1,000 requests/s in all, for an hour.
// `node ui/e2e/bench-design.mjs OUT.archsim.json` writes it.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const CHAINS = 25;
export const RPS_PER_CLIENT = 40;

export function writeLiveBenchDesign(path) {
  const components = [];
  const connections = [];
  const traffic = [];
  const at = (i, col) => ({ x: (i % 3) * 1000 + col * 230, y: Math.floor(i / 3) * 110 });
  for (let i = 0; i < CHAINS; i++) {
    const id = (k) => `${k}-${String(i).padStart(2, "0")}`;
    components.push({ id: id("client"), kind: "client", name: `Client ${i}`, position: at(i, 0) });
    components.push({ id: id("api"), kind: "api_gateway", name: `API ${i}`, position: at(i, 1) });
    components.push({ id: id("fn"), kind: "lambda_function", name: `Handler ${i}`, position: at(i, 2) });
    components.push({ id: id("table"), kind: "dynamodb_table", name: `Table ${i}`, position: at(i, 3) });
    connections.push({ id: id("c1"), from: id("client"), to: id("api"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c2"), from: id("api"), to: id("fn"), kind: { meaning: "invoke", mode: "sync" } });
    connections.push({ id: id("c3"), from: id("fn"), to: id("table"), kind: { meaning: "uses", access: "read_write" } });
    traffic.push({ entry: id("client"), pattern: { type: "poisson", rps: RPS_PER_CLIENT } });
  }
  const scenarios = [{ name: "steady-1000rps", duration_s: 3600, seed: 1, traffic }];
  writeFileSync(path, JSON.stringify({ format: 1, name: "Live benchmark: 100 components at 1,000 rps", components, connections, scenarios }, null, 2));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!process.argv[2]) {
    console.error("usage: node ui/e2e/bench-design.mjs OUT.archsim.json");
    process.exit(2);
  }
  writeLiveBenchDesign(process.argv[2]);
}
