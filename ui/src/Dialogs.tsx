// Modal dialogs: New (from a starter), Open, Save As and Import template (a
// picker over the server's folders and design or template files; the path
// is what the server opens), and the unsaved-changes question.
import { useCallback, useEffect, useState } from "react";
import { api, type FileKind } from "./api";
import type { DirListing } from "./generated/DirListing";
import type { RecentFile } from "./generated/RecentFile";
import type { StarterInfo } from "./generated/StarterInfo";
import { errorText } from "./Inspector";

function FileIcon({ dir }: { dir: boolean }) {
  return (
    <svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true" className="file-icon">
      {dir ? (
        <path d="M1 3h4l1 1.5h7V12H1z" fill="#e8b04a" stroke="#b7872c" />
      ) : (
        <path d="M3 1h5l3 3v9H3z" fill="#fff" stroke="#7b8799" />
      )}
    </svg>
  );
}

export function Modal({ title, children, onClose }: { title: string; children: React.ReactNode; onClose: () => void }) {
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <div className="modal" role="dialog" aria-label={title} onMouseDown={(e) => e.stopPropagation()}>
        <h3>{title}</h3>
        {children}
      </div>
    </div>
  );
}

export function NewDialog({ onPick, onClose }: { onPick: (starter: string) => void; onClose: () => void }) {
  const [starters, setStarters] = useState<StarterInfo[]>([]);
  useEffect(() => {
    api.starters().then(setStarters);
  }, []);
  return (
    <Modal title="New design" onClose={onClose}>
      <ul className="starter-list">
        {starters.map((s) => (
          <li key={s.name}>
            <button type="button" onClick={() => onPick(s.name)} data-testid={`starter-${s.name}`}>
              <b>{s.name}</b> <span className="muted">{s.summary}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}

const TITLE = { open: "Open design", save: "Save design as", import: "Import SAM / CloudFormation template" };

export function FileDialog({
  mode,
  initialName,
  onPick,
  onPickMany,
  onClose,
}: {
  mode: "open" | "save" | "import";
  initialName: string;
  onPick: (path: string) => Promise<string | null>;
  /** Import only: several files checked (stacks that import each other's exports). */
  onPickMany?: (paths: string[]) => Promise<string | null>;
  onClose: () => void;
}) {
  const [listing, setListing] = useState<DirListing | null>(null);
  const [name, setName] = useState(initialName);
  const [checked, setChecked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const kind: FileKind = mode === "import" ? "template" : "design";
  const browse = useCallback(
    (dir?: string) =>
      api.files(dir, kind).then(
        (l) => {
          setListing(l);
          setError(null);
        },
        (e) => setError(errorText(e)),
      ),
    [kind],
  );
  useEffect(() => {
    browse();
  }, [browse]);
  const [recent, setRecent] = useState<RecentFile[]>([]);
  useEffect(() => {
    if (mode === "open") api.recent().then(setRecent, () => setRecent([]));
  }, [mode]);
  const join = (dir: string, file: string) => (file.startsWith("/") ? file : `${dir.replace(/\/$/, "")}/${file}`);
  const submit = async () => {
    if (onPickMany && checked.length > 1) return setError(await onPickMany(checked));
    if (checked.length === 1) return setError(await onPick(checked[0]));
    if (!listing || !name.trim()) return;
    setError(await onPick(join(listing.dir, name.trim())));
  };
  const toggle = (path: string) => setChecked((c) => (c.includes(path) ? c.filter((p) => p !== path) : [...c, path]));
  return (
    <Modal title={TITLE[mode]} onClose={onClose}>
      {recent.length > 0 && (
        <>
          <div className="small muted">Recent</div>
          <ul className="file-list recent-list" data-testid="recent-files">
            {recent.map((r) => (
              <li key={r.path}>
                <button type="button" title={r.path} onClick={() => onPick(r.path).then(setError)}>
                  <FileIcon dir={false} /> {r.name} <span className="muted small">{r.path}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      <div className="mono small" data-testid="picker-dir">
        {listing?.dir ?? "…"}
      </div>
      <ul className="file-list">
        {listing?.parent && (
          <li>
            <button type="button" onClick={() => browse(listing.parent ?? undefined)}>
              <FileIcon dir /> ..
            </button>
          </li>
        )}
        {listing?.entries.map((e) => (
          <li key={e.path}>
            {onPickMany && !e.is_dir && (
              <input type="checkbox" aria-label={`Import ${e.name}`} checked={checked.includes(e.path)} onChange={() => toggle(e.path)} />
            )}
            <button
              type="button"
              onClick={() => (e.is_dir ? browse(e.path) : setName(e.name))}
              onDoubleClick={() => !e.is_dir && onPick(e.path).then(setError)}
            >
              <FileIcon dir={e.is_dir} /> {e.name}
            </button>
          </li>
        ))}
      </ul>
      {onPickMany && (
        <div className="small muted" data-testid="picker-many">
          {checked.length > 1
            ? `${checked.length} files checked: imported as one design, a frame per stack`
            : "Check several files to import stacks that use each other's exports as one design."}
        </div>
      )}
      <div className="field">
        <label htmlFor="picker-name">{mode === "save" ? "file name (.archsim.json is added)" : "file"}</label>
        <input id="picker-name" value={name} onChange={(e) => setName(e.target.value)} onKeyDown={(e) => e.key === "Enter" && submit()} />
      </div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" onClick={submit} data-testid="picker-ok">
          {mode === "save" ? "Save" : mode === "open" ? "Open" : "Import"}
        </button>
      </div>
    </Modal>
  );
}

export function ConfirmDialog({ message, onYes, onClose }: { message: string; onYes: () => void; onClose: () => void }) {
  return (
    <Modal title="Unsaved changes" onClose={onClose}>
      <p>{message}</p>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Keep editing
        </button>
        <button type="button" className="danger" onClick={onYes}>
          Discard changes
        </button>
      </div>
    </Modal>
  );
}

export function ImageDialog({ onPick, onClose }: { onPick: (format: "png" | "svg") => void; onClose: () => void }) {
  return (
    <Modal title="Export diagram image" onClose={onClose}>
      <p className="muted">The whole diagram, framed on its components, on a white background.</p>
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" onClick={() => onPick("svg")} data-testid="image-svg">
          SVG
        </button>
        <button type="button" className="primary" onClick={() => onPick("png")} data-testid="image-png">
          PNG
        </button>
      </div>
    </Modal>
  );
}
