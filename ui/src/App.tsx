// The designer: palette, canvas, inspector, problems and files. The
// document lives in Rust; this component renders the last DocumentView the
// core returned and turns gestures into edits.
import {
  Background,
  BackgroundVariant,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  useStore,
  useStoreApi,
  type Connection as FlowConnection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type OnSelectionChangeParams,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from "react";
import { api, ApiError, native, saveImageNatively } from "./api";
import { dataUrlBytes, downloadUrl, renderDiagram, type ImageFormat } from "./diagramImage";
import { CostPanel } from "./CostPanel";
import { ConfirmDialog, FileDialog, ImageDialog, NewDialog } from "./Dialogs";
import { edgeLook } from "./edgeStyle";
import { EmptyCanvas, Legend } from "./CanvasAids";
import { layered } from "./layout";
import { Resizer, useStoredSize } from "./resize";
import type { Applied } from "./generated/Applied";
import type { ComponentKind } from "./generated/ComponentKind";
import type { ConnectCheck } from "./generated/ConnectCheck";
import type { DocumentView } from "./generated/DocumentView";
import type { Edit } from "./generated/Edit";
import type { PaletteGroup } from "./generated/PaletteGroup";
import type { RecoveryOffer } from "./generated/RecoveryOffer";
import type { Severity } from "./generated/Severity";
import { CARD_HANDLES, frameAt, frames, labelsOverCards, NODE_H, NODE_W } from "./geometry";
import { CATEGORY_COLOUR } from "./icons";
import { errorText, Inspector } from "./Inspector";
import { FrameActions, nodeTypes, type ComponentNodeData } from "./nodes";
import { OPEN_FIT, useAutoFit, WHOLE_FIT } from "./autoFit";
import { edgeTypes, OverviewContext, OverviewLayer, pickAt, useOverview } from "./Overview";
import { Palette } from "./Palette";
import { DRAG_TYPE } from "./Palette";
import { Problems } from "./Problems";
import { ExportDialog, ImportReport } from "./Templates";
import type { ImportReportView } from "./generated/ImportReportView";
import type { ImportedView } from "./generated/ImportedView";
import { actionFor, SHORTCUTS, type Action } from "./shortcuts";
import { flowLevel, liveStore } from "./live";
import { PlacementView } from "./Placement";
import { ScenarioEditor } from "./ScenarioEditor";
import { NodeCharts, SimBar, useLivePolling } from "./Simulation";
import { TracesView } from "./Traces";

type DockTab = "problems" | "scenario" | "placement" | "traces";

const GRID = 16;
const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

type Dialog =
  | null
  | { type: "new" }
  | { type: "open" }
  | { type: "save" }
  | { type: "import" }
  | { type: "export" }
  | { type: "image" }
  | { type: "report"; report: ImportReportView }
  | { type: "confirm"; then: () => void };
type Toast = { kind: "error" | "info"; text: string; id: number };

function frameNodes(doc: DocumentView, positions?: Map<string, { x: number; y: number }>): Node[] {
  return frames(doc, positions).map((f) => ({
    id: `frame:${f.group.id}`,
    type: "frame",
    position: { x: f.x, y: f.y },
    data: { group: f.group, w: f.w, h: f.h },
    // Known sizes: React Flow needs no measuring pass before drawing.
    measured: { width: f.w, height: f.h },
    draggable: false,
    selectable: false,
    connectable: false,
    focusable: false,
    zIndex: -1,
  }));
}

function buildNodes(doc: DocumentView, selected: Set<string>): Node[] {
  const worst = new Map<string, { s: Severity; n: number }>();
  for (const p of doc.problems) {
    for (const id of p.components) {
      const w = worst.get(id);
      worst.set(id, { s: w && RANK[w.s] < RANK[p.severity] ? w.s : p.severity, n: (w?.n ?? 0) + 1 });
    }
  }
  const components: Node[] = doc.components.map((c) => ({
    id: c.id,
    type: "component",
    position: c.position,
    selected: selected.has(c.id),
    measured: { width: NODE_W, height: NODE_H },
    handles: CARD_HANDLES,
    data: { component: c, worst: worst.get(c.id)?.s ?? null, problems: worst.get(c.id)?.n ?? 0 } satisfies ComponentNodeData,
  }));
  return [...frameNodes(doc), ...components];
}

function edgeClass(meaning: string, weak: unknown): string {
  return `meaning-${meaning}${weak ? " inferred-weak" : ""}`;
}

function buildEdges(doc: DocumentView, selected: Set<string>): Edge[] {
  const overCards = labelsOverCards(doc.components, doc.connections);
  return doc.connections.map((c) => {
    const look = edgeLook(c.meaning);
    return {
      id: c.id,
      source: c.from,
      target: c.to,
      label: c.weak ? `${c.label}?` : c.label,
      selected: selected.has(c.id),
      animated: look.animated,
      className: edgeClass(c.meaning, c.weak),
      data: { meaning: c.meaning, weak: c.weak, overCard: overCards.has(c.id) },
      // An inferred connection whose evidence is weak is drawn faint until
      // the user confirms it.
      style: { stroke: look.stroke, strokeWidth: look.width, strokeDasharray: look.dash, opacity: c.weak ? 0.5 : undefined },
      labelStyle: { fill: look.stroke, fontWeight: 600, fontSize: 11 },
      labelBgStyle: { fill: "#fff", fillOpacity: 0.9 },
      labelBgPadding: [4, 2] as [number, number],
      markerEnd: { type: MarkerType.ArrowClosed, color: look.stroke, width: 16, height: 16 },
    };
  });
}

/** Keeps the previous object of every node or edge whose content is unchanged. */
function reuse<T extends Node | Edge>(prev: T[], next: T[]): T[] {
  const old = new Map(prev.map((x) => [x.id, x]));
  return next.map((n) => {
    const o = old.get(n.id);
    if (!o) return n;
    const same =
      o.type === n.type &&
      JSON.stringify(o.data) === JSON.stringify(n.data) &&
      JSON.stringify("position" in o ? o.position : null) === JSON.stringify("position" in n ? n.position : null);
    // A changed node carries its own size (`measured`), as every new one does.
    if (same) return o.selected === n.selected ? o : { ...o, selected: n.selected };
    return n;
  });
}

const snap = (v: number) => Math.round(v / GRID) * GRID;

function Designer() {
  const rf = useReactFlow();
  // React Flow's helpers change identity as the canvas mounts; callbacks
  // that must not (show) read them here.
  const rfRef = useRef(rf);
  rfRef.current = rf;
  const flowStore = useStoreApi();
  // Level of detail: below this zoom, labels and card text are unreadable
  // anyway; hiding them keeps large designs smooth to pan.
  const zoomedOut = useStore((s) => s.transform[2] < 0.45);
  const [doc, setDoc] = useState<DocumentView | null>(null);
  // Zoomed out on a large design, one canvas draws what hundreds of cards
  // would (Overview.tsx). Image export needs the cards.
  const [cardsForced, setCardsForced] = useState(false);
  const [opening, setOpening] = useState(false);
  const overview = useOverview(doc?.components.length ?? 0, cardsForced, opening);
  const [palette, setPalette] = useState<PaletteGroup[]>([]);
  const [nodes, setNodes] = useState<Node[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  // Under the overview React Flow holds only the selected edges (to keep
  // them selected): each edge it holds costs work on every frame.
  const flowEdges = useMemo(() => (overview ? edges.filter((e) => e.selected) : edges), [overview, edges]);
  const [selected, setSelected] = useState<string[]>([]);
  const [toast, setToast] = useState<Toast | null>(null);
  const [hover, setHover] = useState<{ x: number; y: number; check: ConnectCheck } | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [offer, setOffer] = useState<RecoveryOffer | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const [showCost, setShowCost] = useState(false);
  const [costWidth, setCostWidth] = useStoredSize("archsim.cost.width", 420, 300, 900);
  const [dockHeight, setDockHeight] = useStoredSize("archsim.dock.height", 200, 90, 640);
  const [running, setRunning] = useState(false);
  const [dockTab, setDockTab] = useState<DockTab>("problems");
  const [chartsClosed, setChartsClosed] = useState<string | null>(null);
  const clipboard = useRef<{ ids: string[]; pastes: number }>({ ids: [], pastes: 0 });
  const connectingFrom = useRef<string | null>(null);
  const fitNext = useRef(false);
  const selectedRef = useRef<string[]>([]);
  selectedRef.current = selected;

  const notify = useCallback((kind: Toast["kind"], text: string) => setToast({ kind, text, id: Date.now() }), []);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), toast.kind === "error" ? 8000 : 3000);
    return () => clearTimeout(t);
  }, [toast]);

  useLivePolling(running, (message) => {
    setRunning(false);
    liveStore.set(null);
    if (message) notify("error", message);
  });

  const startSim = useCallback(
    // `speed` is simulated seconds per second; `null` is as fast as possible
    // (a start cannot ask for that, so a control follows it).
    async (scenario: string, speed: number | null = 1) => {
      try {
        let v = await api.liveStart({ scenario, seed: null, speed: speed ?? 1, paused: false });
        if (speed === null) v = await api.liveControl({ type: "speed", speed: null });
        liveStore.set(v);
        setRunning(true);
      } catch (e) {
        notify("error", errorText(e));
      }
    },
    [notify],
  );
  const stopSim = useCallback(() => {
    api.liveStop().catch(() => undefined);
    setRunning(false);
    liveStore.set(null);
  }, []);

  const { fit: fitOpened, onMoveStart } = useAutoFit();
  // Redraw whenever the core returns a document: nodes and edges change in
  // the same render as the document (one pass, not two).
  const show = useCallback((d: DocumentView, fit = false) => {
    if (fit) {
      // An empty design has nothing to fit: a pending fit would wait for
      // the first card and then jump it to the centre. Start at 100 %.
      // With nothing drawn yet (the first design), ask now: React Flow fits
      // as it takes the nodes, so the first frame drawn is the fitted one.
      // Otherwise ask once they are drawn (below), or it may fit the old ones.
      if (d.components.length === 0) {
        fitNext.current = false;
        void rfRef.current.setViewport({ x: 0, y: 0, zoom: 1 });
      } else if (flowStore.getState().nodes.length === 0) {
        setOpening(true);
        fitOpened().finally(() => setOpening(false));
      } else fitNext.current = true;
    }
    setDoc(d);
    const ids = new Set(d.components.map((c) => c.id).concat(d.connections.map((c) => c.id)));
    const keep = new Set(selectedRef.current.filter((id) => ids.has(id)));
    // Unchanged nodes keep their objects, so React Flow re-renders only
    // what the edit touched.
    setNodes((prev) => reuse(prev, buildNodes(d, keep)));
    setEdges((prev) => reuse(prev, buildEdges(d, keep)));
    if (keep.size !== selectedRef.current.length) setSelected([...keep]);
  }, [fitOpened, flowStore]);

  // Fit once a newly opened design (or an automatic layout) is drawn.
  useEffect(() => {
    if (doc && fitNext.current) {
      fitNext.current = false;
      fitOpened();
    }
  }, [doc, fitOpened]);

  // Live throughput animates the edges: each edge flows at the rate its
  // target receives; edges change only when their level does.
  useEffect(() => {
    if (!running) {
      setEdges((es) => (es.some((e) => e.data?.flow) ? es.map((e) => (e.data?.flow ? { ...e, className: edgeClass(String(e.data.meaning), e.data.weak), data: { ...e.data, flow: 0 } } : e)) : es));
      return;
    }
    const apply = () => {
      setEdges((es) => {
        let changed = false;
        const next = es.map((e) => {
          const level = flowLevel(liveStore.get(e.target)?.arrivals_per_s ?? 0);
          if ((e.data?.flow ?? 0) === level) return e;
          changed = true;
          return { ...e, className: `${edgeClass(String(e.data?.meaning), e.data?.weak)}${level ? ` flowing flow-${level}` : ""}`, data: { ...e.data, flow: level } };
        });
        return changed ? next : es;
      });
    };
    apply();
    return liveStore.subscribeAll(apply);
  }, [running, doc]);

  useEffect(() => {
    api.document().then((d) => show(d, true), (e) => notify("error", errorText(e)));
    api.palette().then(setPalette, (e) => notify("error", errorText(e)));
    api.recoveryOffer().then(setOffer, () => undefined);
  }, [show, notify]);

  // The banner follows the core: a save (which clears the recovery file),
  // an open or a new design may end the offer.
  const offered = offer !== null;
  useEffect(() => {
    if (offered) api.recoveryOffer().then(setOffer, () => undefined);
  }, [offered, doc?.path, doc?.dirty]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => {
      if (doc?.dirty) e.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [doc?.dirty]);

  const apply = useCallback(
    async (edit: Edit): Promise<Applied | string> => {
      try {
        const r = await api.edit(edit);
        show(r.document);
        return r;
      } catch (e) {
        const text = errorText(e);
        notify("error", text);
        return text;
      }
    },
    [show, notify],
  );
  const send = useCallback(async (edit: Edit) => {
    const r = await apply(edit);
    return typeof r === "string" ? r : null;
  }, [apply]);

  const frameActions = useMemo(() => ({ remove: (id: string) => void send({ op: "delete", ids: [id] }) }), [send]);
  const frameSelected = useCallback(
    async (kind: "vpc" | "availability_zone" | "frame") => {
      const members = selectedRef.current.filter((id) => doc?.components.some((c) => c.id === id));
      await send({ op: "frame", kind, name: null, members });
    },
    [doc, send],
  );

  const select = useCallback(
    (ids: string[]) => {
      const set = new Set(ids);
      setSelected(ids);
      // A selection set here is not a marquee's: no box to drag them by.
      flowStore.setState({ nodesSelectionActive: false });
      // Only the nodes whose selection changes get new objects.
      setNodes((ns) => ns.map((n) => (n.type === "component" && !!n.selected !== set.has(n.id) ? { ...n, selected: set.has(n.id) } : n)));
      setEdges((es) => es.map((e) => (!!e.selected !== set.has(e.id) ? { ...e, selected: set.has(e.id) } : e)));
    },
    [flowStore],
  );

  /** A new design from a starter (the New dialog, the empty canvas). */
  const pickStarter = useCallback(
    (starter: string) =>
      api.newDesign(starter).then(
        (d) => {
          setDialog(null);
          select([]);
          show(d, true);
        },
        (e) => notify("error", errorText(e)),
      ),
    [select, show, notify],
  );

  const addAt = useCallback(
    async (kind: ComponentKind, x: number, y: number) => {
      if (!doc) return;
      const group = frameAt(frames(doc), x, y)?.group.id ?? null;
      const position = { x: snap(x - NODE_W / 2), y: snap(y - NODE_H / 2) };
      const r = await apply({ op: "add_component", kind, position, name: null, group });
      if (typeof r !== "string") select(r.created);
    },
    [doc, apply, select],
  );

  const addAtCentre = useCallback(
    (kind: ComponentKind) => {
      const box = document.querySelector(".canvas")?.getBoundingClientRect();
      const p = rf.screenToFlowPosition({ x: (box?.left ?? 0) + (box?.width ?? 800) / 2, y: (box?.top ?? 0) + (box?.height ?? 600) / 2 });
      addAt(kind, p.x, p.y);
    },
    [rf, addAt],
  );

  const onNodesChange = useCallback(
    (changes: NodeChange[]) => {
      const kept = changes.filter((c) => c.type !== "remove");
      setNodes((ns) => {
        let next = applyNodeChanges(kept, ns);
        if (!doc) return next;
        // Members follow a dragged cluster, and frames follow their members.
        const moved = kept.filter((c) => c.type === "position" && c.position);
        if (moved.length === 0) return next;
        const dragged = new Set(moved.map((c) => (c.type === "position" ? c.id : "")));
        for (const ch of moved) {
          if (ch.type !== "position" || !ch.position) continue;
          const group = doc.groups.find((g) => g.owner === ch.id);
          const before = ns.find((n) => n.id === ch.id);
          if (!group || !before) continue;
          const dx = ch.position.x - before.position.x;
          const dy = ch.position.y - before.position.y;
          const members = new Set(group.members);
          next = next.map((n) =>
            members.has(n.id) && !dragged.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n,
          );
        }
        const positions = new Map(next.filter((n) => n.type === "component").map((n) => [n.id, n.position]));
        return [...frameNodes(doc, positions), ...next.filter((n) => n.type !== "frame")];
      });
    },
    [doc],
  );

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(changes.filter((c) => c.type !== "remove"), es));
  }, []);

  const onNodeDragStop = useCallback(async () => {
    if (!doc) return;
    const at = new Map(doc.components.map((c) => [c.id, c.position]));
    const moves = nodes
      .filter((n) => n.type === "component")
      .filter((n) => {
        const p = at.get(n.id);
        return p && (p.x !== n.position.x || p.y !== n.position.y);
      })
      .map((n) => ({ id: n.id, position: { x: n.position.x, y: n.position.y } }));
    if (!moves.length) return;
    await send({ op: "move", moves });
    // Dropped inside a cluster's frame: it joins the cluster; dragged out of
    // its cluster's frame: it leaves. Frames are measured without the moved
    // cards, so a member dragged out does not keep its frame around it.
    // A cluster dragged by its card (its members come along) keeps its
    // members: only members moved without their cluster leave or join.
    const moved = new Set(moves.map((m) => m.id));
    const together = new Set(doc.groups.filter((g) => g.owner !== null && moved.has(g.owner)).map((g) => g.id));
    const rest = { ...doc, groups: doc.groups.map((g) => (together.has(g.id) ? g : { ...g, members: g.members.filter((m) => !moved.has(m)) })) };
    const clusterFrames = frames(rest);
    for (const m of moves) {
      if (doc.groups.some((g) => g.owner === m.id)) continue;
      const current = doc.groups.find((g) => (g.kind === "ecs_cluster" || g.kind === "eks_cluster") && g.members.includes(m.id))?.id ?? null;
      if (current !== null && together.has(current)) continue;
      const target = frameAt(clusterFrames, m.position.x + NODE_W / 2, m.position.y + NODE_H / 2)?.group.id ?? null;
      if (target !== current) await send({ op: "set_group", member: m.id, group: target });
    }
  }, [doc, nodes, send]);

  const onSelectionChange = useCallback(({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
    setSelected([...ns.filter((n) => n.type === "component").map((n) => n.id), ...es.map((e) => e.id)]);
  }, []);

  // Handlers React Flow passes to every node keep their identity: a new one
  // re-renders every card on screen (all of them when zoomed out).
  const onConnectStart = useCallback((_: unknown, p: { nodeId: string | null }) => {
    connectingFrom.current = p.nodeId;
  }, []);
  const onConnectEnd = useCallback(() => {
    connectingFrom.current = null;
    setHover(null);
  }, []);
  const onNodeMouseEnter = useCallback((e: ReactMouseEvent, n: Node) => {
    const from = connectingFrom.current;
    if (!from || n.type !== "component" || n.id === from) return;
    const { clientX: x, clientY: y } = e;
    api.canConnect(from, n.id).then((check) => connectingFrom.current && setHover({ x, y, check }));
  }, []);
  const onNodeMouseLeave = useCallback(() => setHover(null), []);

  // On the overview a click picks what is drawn under it.
  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      if (!overview) return;
      const pane = (e.currentTarget as HTMLElement).getBoundingClientRect();
      const id = pickAt(nodes, edges, rf.getViewport(), pane, e.clientX, e.clientY);
      // After React Flow's own pane click has cleared the selection.
      if (id) queueMicrotask(() => select([id]));
    },
    [overview, nodes, edges, rf, select],
  );

  const onConnect = useCallback(
    async (c: FlowConnection) => {
      setHover(null);
      const r = await apply({ op: "connect", from: c.source, to: c.target, meaning: null });
      if (typeof r !== "string" && doc) {
        const conn = r.document.connections.find((x) => x.id === r.created[0]);
        const name = (id: string) => r.document.components.find((x) => x.id === id)?.name ?? id;
        if (conn) notify("info", `${name(conn.from)} ${conn.label} ${name(conn.to)}`);
      }
    },
    [apply, doc, notify],
  );

  const guard = useCallback(
    (then: () => void) => {
      if (doc?.dirty) setDialog({ type: "confirm", then });
      else then();
    },
    [doc?.dirty],
  );

  // The desktop shell picks files with native dialogs; cancelling is not an error.
  const nativeFile = useCallback(
    async (mode: "open" | "save") => {
      try {
        const d = mode === "open" ? await api.open("") : await api.saveAs("");
        if (mode === "open") select([]);
        show(d, mode === "open");
        notify("info", `${mode === "open" ? "Opened" : "Saved"} ${d.path}`);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", errorText(e));
      }
    },
    [select, show, notify],
  );

  const imported = useCallback(
    (i: ImportedView) => {
      select([]);
      show(i.document, true);
      setDialog({ type: "report", report: i.report });
    },
    [select, show],
  );

  const importTemplate = useCallback(
    () =>
      guard(() => {
        if (!native) return setDialog({ type: "import" });
        api.importTemplate("").then(imported, (e) => {
          if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", errorText(e));
        });
      }),
    [guard, imported, notify],
  );

  const exportImage = useCallback(
    async (format: ImageFormat) => {
      setDialog(null);
      const viewport = document.querySelector<HTMLElement>(".react-flow__viewport");
      const drawn = rf.getNodes();
      if (!viewport || !drawn.some((n) => n.type === "component")) {
        notify("error", "Nothing to export: add a component first");
        return;
      }
      // Only visible nodes are rendered: frame them all first, as cards.
      setCardsForced(true);
      await rf.fitView({ padding: 0.1 });
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      try {
        const stem = doc?.path?.split("/").pop()?.replace(/\.archsim\.json$/, "") ?? "diagram";
        const fileName = `${stem}.${format}`;
        const url = await renderDiagram(viewport, drawn, format);
        if (native) {
          // The webview has no download manager: the core writes the file.
          notify("info", `Wrote ${await saveImageNatively(fileName, Array.from(dataUrlBytes(url)))}`);
        } else {
          downloadUrl(fileName, url);
        }
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", `Image export failed: ${errorText(e)}`);
      } finally {
        setCardsForced(false);
      }
    },
    [rf, doc?.path, notify],
  );

  const run = useCallback(
    async (action: Action) => {
      if (!doc) return;
      const comps = selected.filter((id) => doc.components.some((c) => c.id === id));
      try {
        switch (action) {
          case "undo":
            show(await api.undo());
            break;
          case "redo":
            show(await api.redo());
            break;
          case "delete":
            if (selected.length) {
              await send({ op: "delete", ids: selected });
              select([]);
            }
            break;
          case "copy":
            clipboard.current = { ids: comps, pastes: 0 };
            if (comps.length) notify("info", `Copied ${comps.length} component(s)`);
            break;
          case "paste": {
            const clip = clipboard.current;
            if (!clip.ids.length) break;
            clip.pastes += 1;
            const r = await apply({ op: "duplicate", ids: clip.ids, offset: { x: 32 * clip.pastes, y: 32 * clip.pastes } });
            if (typeof r !== "string") select(r.created);
            break;
          }
          case "duplicate": {
            if (!comps.length) break;
            const r = await apply({ op: "duplicate", ids: comps, offset: { x: 32, y: 32 } });
            if (typeof r !== "string") select(r.created);
            break;
          }
          case "save":
            if (doc.path) {
              show(await api.save());
              notify("info", `Saved ${doc.path}`);
            } else if (native) await nativeFile("save");
            else setDialog({ type: "save" });
            break;
          case "saveAs":
            if (native) await nativeFile("save");
            else setDialog({ type: "save" });
            break;
          case "open":
            guard(() => (native ? nativeFile("open") : setDialog({ type: "open" })));
            break;
          case "new":
            guard(() => setDialog({ type: "new" }));
            break;
          case "fit":
            rf.fitView({ ...OPEN_FIT, duration: 200 });
            break;
          case "fitAll":
            rf.fitView({ ...WHOLE_FIT, duration: 200 });
            break;
          case "selectAll":
            select(doc.components.map((c) => c.id));
            break;
          case "clearSelection":
            select([]);
            break;
          case "zoomIn":
            rf.zoomIn({ duration: 150 });
            break;
          case "zoomOut":
            rf.zoomOut({ duration: 150 });
            break;
          case "layout":
            // ELK's layered layout (layout.ts), as one undoable move.
            await send({ op: "move", moves: await layered(doc) });
            fitNext.current = true;
            break;
        }
      } catch (e) {
        notify("error", errorText(e));
      }
    },
    [doc, selected, show, send, apply, select, notify, guard, rf, nativeFile],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (dialog) return;
      // Space pauses and resumes a running simulation.
      if (e.key === " " && running && !e.ctrlKey && !e.metaKey && !e.altKey && t?.tagName !== "BUTTON") {
        e.preventDefault();
        const v = liveStore.view;
        if (v && !v.finished) api.liveControl({ type: v.paused ? "resume" : "pause" }).then((x) => liveStore.set(x), (err) => notify("error", errorText(err)));
        return;
      }
      const action = actionFor({ key: e.key, ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey, alt: e.altKey });
      if (action) {
        e.preventDefault();
        run(action);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [run, dialog, running, notify]);

  const selectProblem = useCallback(
    (ids: string[]) => {
      select(ids);
      // A connection's problem shows the two cards it joins.
      const ends = ids.flatMap((id) => {
        const conn = doc?.connections.find((c) => c.id === id);
        return conn ? [conn.from, conn.to] : [id];
      });
      const targets = [...new Set(ends)].filter((id) => doc?.components.some((c) => c.id === id)).map((id) => ({ id }));
      if (targets.length) rf.fitView({ nodes: targets, padding: 0.6, maxZoom: 1.2, duration: 250 });
    },
    [doc, select, rf],
  );

  // One colour function for the life of the canvas: a new one would redraw
  // every minimap node on each edit.
  const minimapColour = useCallback((n: Node) => {
    const c = (n.data as Partial<ComponentNodeData> | undefined)?.component;
    return c ? CATEGORY_COLOUR[c.category] : "transparent";
  }, []);
  /** Components and frames told apart on the minimap (tests count the components there). */
  const minimapClass = useCallback((n: Node) => `minimap-${n.type}`, []);

  if (!doc) {
    return <div className="loading">Connecting to archsim…{toast && <div className="toast error">{toast.text}</div>}</div>;
  }

  // Zooming out stops at about twice what fits the whole design (on a
  // typical canvas): further out, the minimap, which frames the view too,
  // shrinks the design to a speck.
  const minZoom = (() => {
    if (doc.components.length === 0) return 0.25;
    const xs = doc.components.map((c) => c.position.x);
    const ys = doc.components.map((c) => c.position.y);
    const w = Math.max(...xs) - Math.min(...xs) + NODE_W;
    const h = Math.max(...ys) - Math.min(...ys) + NODE_H;
    return Math.min(0.5, Math.max(0.02, Math.min(900 / w, 640 / h) / 2));
  })();
  const title = doc.path ? doc.path.split("/").pop() : "not saved yet";
  return (
    <div
      className={`app${showCost ? " with-cost" : ""}`}
      style={{ "--cost-w": `${costWidth}px`, "--dock-h": `${dockHeight}px` } as React.CSSProperties}
    >
      <header className="toolbar">
        <span className="brand">archsim</span>
        <span className="doc-title" data-testid="doc-title">
          {doc.name} <span className="muted">— {title}</span>
          {doc.dirty && (
            <span className="dirty" title="Unsaved changes" data-testid="dirty">
              ●
            </span>
          )}
        </span>
        <nav>
          <button type="button" onClick={() => run("new")} title="New (Alt+N)">New</button>
          <button type="button" onClick={() => run("open")} title="Open (Ctrl+O)">Open</button>
          <button type="button" onClick={() => run("save")} title="Save (Ctrl+S)" data-testid="save">Save</button>
          <button type="button" onClick={() => run("saveAs")} title="Save as (Ctrl+Shift+S)">Save as</button>
          <button type="button" onClick={importTemplate} title="Import a SAM / CloudFormation template as a new design" data-testid="import-template">Import template…</button>
          <button type="button" onClick={() => setDialog({ type: "export" })} title="Export as a SAM / CloudFormation template" data-testid="export-template">Export…</button>
          <button type="button" onClick={() => setDialog({ type: "image" })} title="Export the diagram as SVG or PNG" data-testid="export-image">Image…</button>
          <span className="sep" />
          <button type="button" onClick={() => run("undo")} disabled={!doc.can_undo} title="Undo (Ctrl+Z)" data-testid="undo">Undo</button>
          <button type="button" onClick={() => run("redo")} disabled={!doc.can_redo} title="Redo (Ctrl+Shift+Z)" data-testid="redo">Redo</button>
          <span className="sep" />
          <button type="button" onClick={() => run("duplicate")} disabled={!selected.length} title="Duplicate (Ctrl+D)">Duplicate</button>
          <button type="button" onClick={() => run("delete")} disabled={!selected.length} title="Delete (Del)">Delete</button>
          <select
            aria-label="Frame the selection"
            value=""
            disabled={!selected.some((id) => doc.components.some((c) => c.id === id))}
            onChange={(e) => e.target.value && frameSelected(e.target.value as "vpc" | "availability_zone" | "frame")}
            title="Draw a VPC, availability-zone or plain frame around the selected components"
            data-testid="frame-selection"
          >
            <option value="">Frame…</option>
            <option value="vpc">in a VPC</option>
            <option value="availability_zone">in an AZ</option>
            <option value="frame">in a frame</option>
          </select>
          <span className="sep" />
          <button type="button" onClick={(e) => run(e.shiftKey ? "fitAll" : "fit")} title="Fit (F): text stays readable. Shift+F or a Shift-click: the whole design">Fit</button>
          <button type="button" onClick={() => run("layout")} title="Automatic layout (L)">Layout</button>
          <button type="button" onClick={() => setShowCost((v) => !v)} aria-pressed={showCost} title="Monthly cost, cost curve, break-even and run report" data-testid="cost-toggle">Cost</button>
          <button type="button" onClick={() => setShowHelp((v) => !v)} title="Help: connections, simulating, pricing, exporting, shortcuts" aria-label="Help">?</button>
        </nav>
      </header>
      {offer && (
        <div className="banner" role="alert">
          Unsaved work from {new Date(offer.saved_at_unix * 1000).toLocaleString()} ({offer.components} components) was found.
          <button type="button" onClick={() => api.recover().then((d) => { show(d, true); setOffer(null); }, (e) => notify("error", errorText(e)))}>
            Recover
          </button>
          <button type="button" onClick={() => api.discardRecovery().then(() => setOffer(null))}>Discard</button>
        </div>
      )}
      <Palette groups={palette} onAdd={addAtCentre} />
      <main
        className={`canvas${zoomedOut ? " zoomed-out" : ""}${overview ? " overview-on" : ""}`}
        onDragOver={(e) => {
          if (e.dataTransfer.types.includes(DRAG_TYPE)) {
            e.preventDefault();
            e.dataTransfer.dropEffect = "copy";
          }
        }}
        onDrop={(e) => {
          const kind = e.dataTransfer.getData(DRAG_TYPE) as ComponentKind;
          if (!kind) return;
          e.preventDefault();
          const p = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
          addAt(kind, p.x, p.y);
        }}
      >
        <SimBar doc={doc} running={running} onStart={startSim} onStop={stopSim} notify={notify} />
        <FrameActions.Provider value={frameActions}>
        <OverviewContext.Provider value={overview}>
        <ReactFlow
          nodes={nodes}
          edges={flowEdges}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onConnectStart={onConnectStart}
          onConnectEnd={onConnectEnd}
          onNodeMouseEnter={onNodeMouseEnter}
          onNodeMouseLeave={onNodeMouseLeave}
          onNodeDragStop={onNodeDragStop}
          onSelectionChange={onSelectionChange}
          onMoveStart={onMoveStart}
          onPaneClick={onPaneClick}
          snapToGrid
          snapGrid={[GRID, GRID]}
          selectionOnDrag
          panOnDrag={[1, 2]}
          panOnScroll={false}
          zoomOnScroll
          deleteKeyCode={null}
          multiSelectionKeyCode={["Shift", "Control", "Meta"]}
          minZoom={minZoom}
          // Near the edge while connecting or dragging, the canvas follows
          // at a third of React Flow's default speed: it no longer runs away.
          autoPanSpeed={5}
          maxZoom={2.5}
          onlyRenderVisibleElements
          // The overview's hidden cards cannot be dragged: no drag handlers for them.
          nodesDraggable={!overview}
          proOptions={{ hideAttribution: true }}
        >
          <Background variant={BackgroundVariant.Dots} gap={GRID} size={1} />
          <MiniMap pannable zoomable nodeColor={minimapColour} nodeClassName={minimapClass} />
          <Controls />
          <OverviewLayer active={overview && !opening} nodes={nodes} edges={edges} />
        </ReactFlow>
        </OverviewContext.Provider>
        </FrameActions.Provider>
        <Legend />
        {doc.components.length === 0 && <EmptyCanvas onPick={pickStarter} />}
      </main>
      <Inspector doc={doc} selected={selected} send={send} />
      {showCost && (
        <div className="cost-dock">
          <Resizer axis="x" size={costWidth} onResize={setCostWidth} label="Resize the cost panel" />
          <CostPanel doc={doc} notify={notify} onClose={() => setShowCost(false)} />
        </div>
      )}
      {running && selected.length === 1 && chartsClosed !== selected[0] && doc.components.some((c) => c.id === selected[0]) && (
        <NodeCharts
          id={selected[0]}
          name={doc.components.find((c) => c.id === selected[0])?.name ?? selected[0]}
          onClose={() => setChartsClosed(selected[0])}
        />
      )}
      <section className={`dock dock-${dockTab}`} aria-label="Panels">
        <Resizer axis="y" size={dockHeight} onResize={setDockHeight} label="Resize the panels" />
        <div className="dock-tabs" role="tablist">
          {(
            [
              ["problems", `Problems (${doc.problems.length})`],
              ["scenario", "Scenario"],
              ["placement", "Placement"],
              ["traces", "Traces"],
            ] as [DockTab, string][]
          ).map(([t, label]) => (
            <button key={t} type="button" role="tab" aria-selected={dockTab === t} className={dockTab === t ? "active" : ""} onClick={() => setDockTab(t)} data-testid={`tab-${t}`}>
              {label}
            </button>
          ))}
        </div>
        <div className="dock-body">
          {dockTab === "problems" && <Problems problems={doc.problems} onSelect={selectProblem} />}
          {dockTab === "scenario" && <ScenarioEditor doc={doc} send={send} />}
          {dockTab === "placement" && <PlacementView doc={doc} />}
          {dockTab === "traces" && <TracesView doc={doc} />}
        </div>
      </section>
      {hover && (
        <div className={`connect-tip ${hover.check.result}`} style={{ left: hover.x + 14, top: hover.y + 14 }} data-testid="connect-tip">
          {hover.check.result === "allowed"
            ? `${hover.check.meanings.map((m) => m.label).join(" or ")}: ${hover.check.note}`
            : hover.check.reason}
        </div>
      )}
      {toast && (
        <div key={toast.id} className={`toast ${toast.kind}`} role={toast.kind === "error" ? "alert" : "status"} data-testid="toast">
          {toast.text}
        </div>
      )}
      {showHelp && (
        <div className="help" onClick={() => setShowHelp(false)} role="dialog" aria-label="Help" data-testid="help">
          <h3>How archsim works</h3>
          <dl className="help-topics">
            <dt>Connections mean something</dt>
            <dd>
              Drag from a card&apos;s right handle to another&apos;s left handle. archsim names what AWS does along it (invokes synchronously, is polled by,
              publishes to, runs on...) or refuses, saying why; the line&apos;s style says the meaning (see the legend), and the inspector can change it where
              AWS allows several.
            </dd>
            <dt>Simulate</dt>
            <dd>
              A scenario sends traffic into entry points (&quot;Send traffic here&quot; on an API or load balancer, or the Scenario tab). Simulate plays it on
              the canvas: rates, cold starts, queues and p99 on each card, amber and red where it strains; Present opens it full screen for a demo.
            </dd>
            <dt>Price</dt>
            <dd>Cost shows the monthly bill from the scenario, or from the simulated run, in the design&apos;s region, with what is not priced named.</dd>
            <dt>Export</dt>
            <dd>Export writes a SAM or CloudFormation template (production or sandbox profile), or a SAM project with code and sample events that builds with sam build.</dd>
          </dl>
          <h3>Keyboard shortcuts</h3>
          <table>
            <tbody>
              {SHORTCUTS.map((s) => (
                <tr key={s.action}>
                  <td><kbd>{s.keys}</kbd></td>
                  <td>{s.label}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted">Drag on empty canvas to select; right- or middle-drag to pan; wheel to zoom.</p>
        </div>
      )}
      {dialog?.type === "new" && (
        <NewDialog
          onClose={() => setDialog(null)}
          onPick={pickStarter}
        />
      )}
      {(dialog?.type === "open" || dialog?.type === "save") && (
        <FileDialog
          mode={dialog.type}
          initialName={dialog.type === "save" ? (doc.path?.split("/").pop() ?? `${doc.name}.archsim.json`) : ""}
          onClose={() => setDialog(null)}
          onPick={async (path) => {
            try {
              const d = dialog.type === "open" ? await api.open(path) : await api.saveAs(path);
              setDialog(null);
              if (dialog.type === "open") select([]);
              show(d, dialog.type === "open");
              notify("info", dialog.type === "open" ? `Opened ${d.path}` : `Saved ${d.path}`);
              return null;
            } catch (e) {
              return errorText(e);
            }
          }}
        />
      )}
      {dialog?.type === "import" && (
        <FileDialog
          mode="import"
          initialName=""
          onClose={() => setDialog(null)}
          onPick={async (path) => {
            try {
              imported(await api.importTemplate(path));
              return null;
            } catch (e) {
              return errorText(e);
            }
          }}
          onPickMany={async (paths) => {
            try {
              imported(await api.importStacks(paths));
              return null;
            } catch (e) {
              return errorText(e);
            }
          }}
        />
      )}
      {dialog?.type === "report" && <ImportReport report={dialog.report} onClose={() => setDialog(null)} />}
      {dialog?.type === "image" && <ImageDialog onPick={exportImage} onClose={() => setDialog(null)} />}
      {dialog?.type === "export" && <ExportDialog designProfile={doc?.export_profile ?? "production"} onClose={() => setDialog(null)} notify={notify} />}
      {dialog?.type === "confirm" && (
        <ConfirmDialog
          message="This design has unsaved changes. Discard them?"
          onClose={() => setDialog(null)}
          onYes={() => {
            const then = dialog.then;
            setDialog(null);
            then();
          }}
        />
      )}
    </div>
  );
}

export function App() {
  return (
    <ReactFlowProvider>
      <Designer />
    </ReactFlowProvider>
  );
}
