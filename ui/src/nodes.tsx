// Custom React Flow nodes: a component card and a group frame. They draw
// what the core returned; they hold no domain state.
import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { createContext, useContext } from "react";
import type { ComponentView } from "./generated/ComponentView";
import type { GroupView } from "./generated/GroupView";
import type { Severity } from "./generated/Severity";
import { KindIcon } from "./icons";
import { NODE_H, NODE_W, nameLines } from "./geometry";
import { badgeParts, useLiveComponent } from "./live";
import { OverviewContext } from "./Overview";

export type ComponentNodeData = { component: ComponentView; worst: Severity | null; problems: number };
export type ComponentNode = Node<ComponentNodeData, "component">;
export type FrameNodeData = { group: GroupView; w: number; h: number };
export type FrameNode = Node<FrameNodeData, "frame">;

let measureContext: CanvasRenderingContext2D | null = null;
const measured = new Map<string, boolean>();

/** Whether a name needs more than two lines at the card's 13 px bold: such
 * a card gives the kind's line (its icon says the kind) to a third line
 * of a smaller name, so the name shows whole. */
function longName(name: string): boolean {
  const known = measured.get(name);
  if (known !== undefined) return known;
  if (!measureContext) {
    measureContext = document.createElement("canvas").getContext("2d");
    if (!measureContext) return false;
    measureContext.font = `600 13px ${getComputedStyle(document.body).fontFamily}`;
  }
  const ctx = measureContext;
  const long = nameLines(name, (t) => ctx.measureText(t).width) > 2;
  measured.set(name, long);
  return long;
}

export function ComponentCard({ data, selected }: NodeProps<ComponentNode>) {
  const overview = useContext(OverviewContext);
  const live = useLiveComponent(data.component.id);
  // The overview canvas draws the card while it is on.
  if (overview) return null;
  const c = data.component;
  return (
    <div
      className={`card${selected ? " selected" : ""}${data.worst ? ` has-${data.worst}` : ""}${longName(data.component.name) ? " long-name" : ""}${live ? ` live-${live.health}` : ""}`}
      style={{ width: NODE_W, height: NODE_H }}
      data-testid={`node-${c.id}`}
      title={`${c.name}\n${c.label} (${c.id})`}
    >
      <Handle type="target" position={Position.Left} className="handle" />
      <KindIcon kind={c.kind} />
      <div className="card-text">
        <div className="card-name">{c.name}</div>
        {live ? (
          // During a run the kind's line gives way to the live numbers, kept
          // inside the card (two rows at most; every number in the tooltip).
          <div className="live-badge" data-testid={`badge-${c.id}`} data-health={live.health} title={badgeParts(live).map((p) => `${p.text}: ${p.title}`).join("\n")}>
            {badgeParts(live).map((p) => (
              <span key={p.key} className={p.tone ? `b-${p.tone}` : undefined} data-badge={p.key}>
                {p.text}
              </span>
            ))}
          </div>
        ) : (
          <div className="card-kind">{c.label}</div>
        )}
      </div>
      {data.worst && (
        <span className={`problem-dot ${data.worst}`} title={`${data.problems} problem(s)`}>
          {data.problems}
        </span>
      )}
      <Handle type="source" position={Position.Right} className="handle" />
    </div>
  );
}

/** What a user-made frame's title can do (remove it, keeping its members). */
export const FrameActions = createContext<{ remove: (groupId: string) => void } | null>(null);

const FRAME_LABEL: Record<string, string> = {
  ecs_cluster: "ECS cluster",
  eks_cluster: "EKS cluster",
  vpc: "VPC",
  availability_zone: "AZ",
  frame: "Frame",
};

export function GroupFrame({ data }: NodeProps<FrameNode>) {
  const overview = useContext(OverviewContext);
  const actions = useContext(FrameActions);
  if (overview) return null;
  const label = FRAME_LABEL[data.group.kind] ?? data.group.kind;
  return (
    <div className={`frame frame-${data.group.kind}`} style={{ width: data.w, height: data.h }} data-testid={`frame-${data.group.id}`}>
      <div className="frame-title">
        {label}: {data.group.name}
        {!data.group.owner && actions && (
          <button
            type="button"
            className="frame-remove nodrag"
            title="Remove this frame (its components stay)"
            aria-label={`Remove frame ${data.group.name}`}
            onClick={() => actions.remove(data.group.id)}
          >
            ×
          </button>
        )}
      </div>
    </div>
  );
}

export const nodeTypes = { component: ComponentCard, frame: GroupFrame };
