// The placement view: for each cluster, its EC2 instances by availability
// zone with CPU and memory filled by the tasks placed on them, Fargate
// tasks as their own boxes, and tasks waiting for capacity (PROVISIONING).
// Live: tasks appear, move and drain as the simulation runs.
import type { DocumentView } from "./generated/DocumentView";
import type { PlacementNow } from "./generated/PlacementNow";
import type { TaskNow } from "./generated/TaskNow";
import { useLiveView } from "./live";

const PALETTE = ["#2563eb", "#16a34a", "#ea580c", "#7c3aed", "#0891b2", "#be185d", "#65a30d", "#b45309"];

function colourOf(services: string[], id: string): string {
  const i = services.indexOf(id);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
}

function Task({ t, colour, name }: { t: TaskNow; colour: string; name: string }) {
  return (
    <span
      className={`task task-${t.state}`}
      style={{ background: t.state === "running" ? colour : undefined, borderColor: colour }}
      title={`${name}: ${t.id}, ${t.state}${t.busy ? `, ${t.busy} busy` : ""}, ${t.served} served${t.serving_since_s != null ? ` since ${t.serving_since_s.toFixed(1)} s` : ""} (${t.zone})`}
      data-state={t.state}
    />
  );
}

/** Which cluster (group) each service and capacity belongs to. */
function clusters(doc: DocumentView, p: PlacementNow) {
  const member = new Map<string, string>();
  for (const g of doc.groups) {
    if (g.kind !== "ecs_cluster" && g.kind !== "eks_cluster") continue;
    for (const m of g.members) member.set(m, g.id);
  }
  const names = new Map(doc.groups.map((g) => [g.id, g.name]));
  const keys = new Set<string>();
  for (const c of p.capacities) keys.add(member.get(c.capacity) ?? "");
  for (const s of p.services) keys.add(member.get(s.service) ?? "");
  return [...keys].sort().map((k) => ({
    key: k,
    name: k ? (names.get(k) ?? k) : "Outside a cluster",
    capacities: p.capacities.filter((c) => (member.get(c.capacity) ?? "") === k),
    services: p.services.filter((s) => (member.get(s.service) ?? "") === k),
  }));
}

export function PlacementView({ doc }: { doc: DocumentView }) {
  const live = useLiveView();
  if (!live) return <p className="muted">Start a simulation to see where tasks run.</p>;
  const p = live.placement;
  if (p.capacities.length === 0 && p.services.length === 0) {
    return <p className="muted">This design has no ECS services, EKS workloads or EC2 capacity.</p>;
  }
  const name = (id: string) => doc.components.find((c) => c.id === id)?.name ?? id;
  const serviceIds = p.services.map((s) => s.service);
  const tasksById = new Map(p.services.flatMap((s) => s.tasks.map((t) => [t.id, { t, service: s.service }] as const)));
  return (
    <div className="placement" data-testid="placement">
      <div className="placement-legend">
        {p.services.map((s) => (
          <span key={s.service}>
            <span className="swatch" style={{ background: colourOf(serviceIds, s.service) }} /> {name(s.service)}{" "}
            <span className="muted">
              {s.tasks.filter((t) => t.state === "running").length}/{s.desired} running
            </span>
          </span>
        ))}
        <span className="muted">▢ pending · ▨ provisioning · ◌ draining</span>
      </div>
      {clusters(doc, p).map((cl) => (
        <section key={cl.key} className="placement-cluster" data-testid={`placement-${cl.key || "none"}`}>
          <h4>{cl.name}</h4>
          {cl.capacities.map((c) => {
            const zones = [...new Set(c.instances.map((i) => i.zone))].sort();
            // EKS nodes count CPU in millicores and hold pods.
            const eks = c.kind === "eks_node_group";
            const cpuUnit = eks ? "m" : "units";
            // A Karpenter group's nodes are of the types its NodePool chose.
            const props = doc.components.find((k) => k.id === c.capacity)?.props as { autoscaler?: string } | undefined;
            const karpenter = props?.autoscaler === "karpenter";
            return (
              <div key={c.capacity} className="capacity">
                <div className="capacity-title">
                  {name(c.capacity)} <span className="muted">{karpenter ? `Karpenter (own nodes ${c.instance_type})` : c.instance_type} · {c.instances.length} in service</span>
                  {c.launching > 0 && <span className="pill">{c.launching} launching</span>}
                  {c.waiting_tasks > 0 && (
                    <span className="pill warn">
                      {c.waiting_tasks} {eks ? (c.waiting_tasks === 1 ? "pod Pending" : "pods Pending") : c.waiting_tasks === 1 ? "task waiting for capacity" : "tasks waiting for capacity"}
                    </span>
                  )}
                </div>
                <div className="zones">
                  {zones.map((z) => (
                    <div key={z} className="zone">
                      <div className="zone-name">{z}</div>
                      {c.instances
                        .filter((i) => i.zone === z)
                        .map((i) => (
                          <div key={i.instance} className="instance" data-testid="instance" title={`${i.instance} (${i.instance_type}): ${i.tasks.length} tasks`}>
                            <div className="instance-name">
                              {i.instance}
                              {/* A Karpenter node's type differs from the group's. */}
                              {i.instance_type !== c.instance_type && <span className="muted"> {i.instance_type}</span>}
                            </div>
                            <div className="meter" title={`CPU ${i.cpu_used}/${i.cpu_units} ${cpuUnit}`}>
                              <div style={{ width: `${i.cpu_units ? (100 * i.cpu_used) / i.cpu_units : 0}%` }} />
                            </div>
                            <div className="meter mem" title={`memory ${i.memory_used}/${i.memory_mb} MiB`}>
                              <div style={{ width: `${i.memory_mb ? (100 * i.memory_used) / i.memory_mb : 0}%` }} />
                            </div>
                            <div className="tasks">
                              {i.tasks.map((id) => {
                                const x = tasksById.get(id);
                                return x ? <Task key={id} t={x.t} colour={colourOf(serviceIds, x.service)} name={name(x.service)} /> : null;
                              })}
                            </div>
                          </div>
                        ))}
                    </div>
                  ))}
                </div>
              </div>
            );
          })}
          {cl.services.map((s) => {
            const off = s.tasks.filter((t) => t.capacity_kind !== "ec2" || t.state === "provisioning");
            if (off.length === 0) return null;
            const zones = [...new Set(off.map((t) => t.zone))].sort();
            return (
              <div key={s.service} className="capacity fargate" data-testid="fargate-tasks">
                <div className="capacity-title">
                  {name(s.service)}{" "}
                  <span className="muted">
                    {off.some((t) => t.capacity_kind.startsWith("fargate")) ? "Fargate" : "waiting for EC2 capacity"} · {off.length} {off.length === 1 ? "task" : "tasks"}
                  </span>
                </div>
                <div className="zones">
                  {zones.map((z) => (
                    <div key={z} className="zone">
                      <div className="zone-name">{z || "no zone yet"}</div>
                      <div className="tasks">
                        {off
                          .filter((t) => t.zone === z)
                          .map((t) => (
                            <Task key={t.id} t={t} colour={colourOf(serviceIds, s.service)} name={name(s.service)} />
                          ))}
                      </div>
                    </div>
                  ))}
                </div>
              </div>
            );
          })}
        </section>
      ))}
    </div>
  );
}
