// How each connection meaning is drawn: the meaning comes from the core,
// this only picks a line style for it.
import type { Meaning } from "./generated/Meaning";

export interface EdgeLook {
  stroke: string;
  dash?: string;
  width: number;
  animated: boolean;
}

const LOOKS: Record<Meaning, EdgeLook> = {
  invoke_sync: { stroke: "#2563eb", width: 2, animated: false },
  invoke_async: { stroke: "#7c3aed", dash: "8 5", width: 2, animated: false },
  poll: { stroke: "#ea580c", dash: "2 5", width: 2.5, animated: true },
  route: { stroke: "#16a34a", width: 3, animated: false },
  runs_on: { stroke: "#64748b", width: 1.5, animated: false },
  runs_task: { stroke: "#64748b", dash: "10 3 2 3", width: 1.5, animated: false },
  pulls_image: { stroke: "#0d9488", dash: "10 3 2 3", width: 1.5, animated: false },
  uses: { stroke: "#a16207", width: 1.5, animated: false },
  publishes: { stroke: "#db2777", dash: "8 5", width: 2, animated: false },
  dead_letter: { stroke: "#dc2626", dash: "4 4", width: 1.5, animated: false },
  assumes_role: { stroke: "#ca8a04", dash: "1 4", width: 2, animated: false },
  authorizes: { stroke: "#4f46e5", dash: "1 4", width: 2, animated: false },
  references: { stroke: "#94a3b8", dash: "1 3", width: 1, animated: false },
};

export function edgeLook(meaning: Meaning): EdgeLook {
  return LOOKS[meaning];
}

/** Every meaning with its look, for the legend. */
export function legend(): [Meaning, EdgeLook][] {
  return Object.entries(LOOKS) as [Meaning, EdgeLook][];
}
