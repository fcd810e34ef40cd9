// Keyboard shortcuts: a key press to a named action, in one table.
export type Action =
  | "undo"
  | "redo"
  | "delete"
  | "copy"
  | "paste"
  | "duplicate"
  | "save"
  | "saveAs"
  | "open"
  | "new"
  | "fit"
  | "fitAll"
  | "selectAll"
  | "clearSelection"
  | "zoomIn"
  | "zoomOut"
  | "layout";

export interface KeyPress {
  key: string;
  ctrl: boolean;
  shift: boolean;
  alt: boolean;
}

export const SHORTCUTS: { action: Action; keys: string; label: string }[] = [
  { action: "undo", keys: "Ctrl+Z", label: "Undo" },
  { action: "redo", keys: "Ctrl+Shift+Z / Ctrl+Y", label: "Redo" },
  { action: "delete", keys: "Delete / Backspace", label: "Delete selection" },
  { action: "copy", keys: "Ctrl+C", label: "Copy" },
  { action: "paste", keys: "Ctrl+V", label: "Paste" },
  { action: "duplicate", keys: "Ctrl+D", label: "Duplicate" },
  { action: "save", keys: "Ctrl+S", label: "Save" },
  { action: "saveAs", keys: "Ctrl+Shift+S", label: "Save as" },
  { action: "open", keys: "Ctrl+O", label: "Open" },
  { action: "new", keys: "Alt+N", label: "New" },
  { action: "fit", keys: "F", label: "Fit to screen (text stays readable; the minimap shows the rest)" },
  { action: "fitAll", keys: "Shift+F", label: "Fit the whole design, however small" },
  { action: "selectAll", keys: "Ctrl+A", label: "Select all" },
  { action: "clearSelection", keys: "Escape", label: "Clear selection" },
  { action: "zoomIn", keys: "+", label: "Zoom in" },
  { action: "zoomOut", keys: "-", label: "Zoom out" },
  { action: "layout", keys: "L", label: "Automatic layout" },
];

/** The action a key press asks for, if any. */
export function actionFor(k: KeyPress): Action | null {
  const key = k.key.length === 1 ? k.key.toLowerCase() : k.key;
  if (k.ctrl) {
    if (key === "z") return k.shift ? "redo" : "undo";
    if (key === "y") return "redo";
    if (key === "c" && !k.shift) return "copy";
    if (key === "v" && !k.shift) return "paste";
    if (key === "d") return "duplicate";
    if (key === "s") return k.shift ? "saveAs" : "save";
    if (key === "o") return "open";
    if (key === "a") return "selectAll";
    return null;
  }
  if (k.alt) return key === "n" ? "new" : null;
  switch (key) {
    case "Delete":
    case "Backspace":
      return "delete";
    case "f":
      return k.shift ? "fitAll" : "fit";
    case "l":
      return "layout";
    case "Escape":
      return "clearSelection";
    case "+":
    case "=":
      return "zoomIn";
    case "-":
      return "zoomOut";
    default:
      return null;
  }
}
