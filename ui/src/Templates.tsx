// Templates: the Export dialog (the core renders the template; this shows
// it, copies it and saves it) and the report of an import.
import { useEffect, useState } from "react";
import { api, ApiError, native, saveProjectNatively, saveTemplateNatively } from "./api";
import { Modal } from "./Dialogs";
import type { ExportedView } from "./generated/ExportedView";
import type { ExportProfile } from "./generated/ExportProfile";
import type { ImportReportView } from "./generated/ImportReportView";
import type { ProjectView } from "./generated/ProjectView";
import type { TemplateFlavour } from "./generated/TemplateFlavour";
import type { TemplateSyntax } from "./generated/TemplateSyntax";
import { errorText } from "./Inspector";
import { zip } from "./zip";

/** Saves text or bytes as a file through the browser: a Blob URL on a
 * download link (no inline script, so the page's CSP stays strict). */
export function download(fileName: string, data: string | Uint8Array<ArrayBuffer>, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

type Notify = (kind: "error" | "info", text: string) => void;

export function ExportDialog({
  designProfile,
  onClose,
  notify,
}: {
  /** The design's own export profile: the template export starts from it. */
  designProfile: ExportProfile;
  onClose: () => void;
  notify: Notify;
}) {
  const [what, setWhat] = useState<"template" | "project">("template");
  return what === "project" ? (
    <ProjectExport onClose={onClose} notify={notify} onTemplate={() => setWhat("template")} />
  ) : (
    <TemplateExport designProfile={designProfile} onClose={onClose} notify={notify} onProject={() => setWhat("project")} />
  );
}

function ExportKind({ project, onChange }: { project: boolean; onChange: () => void }) {
  return (
    <fieldset>
      <legend>Export</legend>
      <label>
        <input type="radio" name="export-kind" checked={!project} onChange={onChange} /> Template
      </label>
      <label>
        <input type="radio" name="export-kind" checked={project} onChange={onChange} data-testid="export-project" /> SAM project
      </label>
    </fieldset>
  );
}

/** A SAM project: template with local code, handlers, events, README. The
 * desktop writes it into a folder; a browser downloads it as a zip. */
function ProjectExport({ onClose, notify, onTemplate }: { onClose: () => void; notify: Notify; onTemplate: () => void }) {
  const [project, setProject] = useState<ProjectView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api.exportProject().then(
      (p) => {
        if (!current) return;
        setProject(p);
        setError(null);
      },
      (e) => {
        if (!current) return;
        setProject(null);
        setError(errorText(e));
      },
    );
    return () => {
      current = false;
    };
  }, []);

  const save = async () => {
    if (!project) return;
    if (native) {
      try {
        const r = await saveProjectNatively();
        const kept = r.kept.length > 0 ? `; kept your ${r.kept.join(", ")}` : "";
        notify("info", `${r.created ? "Created" : "Updated"} ${r.dir}: ${r.written.length} file(s) written${kept}`);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", errorText(e));
      }
      return;
    }
    const bytes = zip(project.files.map((f) => [`${project.folder_name}/${f.path}`, f.text]));
    download(`${project.folder_name}.zip`, bytes, "application/zip");
  };

  return (
    <Modal title="Export SAM project" onClose={onClose}>
      <div className="export-options">
        <ExportKind project onChange={onTemplate} />
      </div>
      <p className="small">
        template.yaml with local code per function, a handler per function, sample events per trigger, samconfig.toml and a README.
        {native ? " Saving into a project exported before keeps the handlers you edited." : " Downloads as a zip."}
      </p>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {project && (
        <>
          <ul className="mono small project-files" data-testid="project-files">
            {project.files.map((f) => (
              <li key={f.path}>{f.path}</li>
            ))}
          </ul>
          {project.notes.length > 0 && (
            <ul className="notes" data-testid="export-notes">
              {project.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </>
      )}
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
        <button type="button" className="primary" disabled={!project} onClick={save} data-testid="project-download">
          {native ? "Save to folder…" : "Download zip"}
        </button>
      </div>
    </Modal>
  );
}

function TemplateExport({
  designProfile,
  onClose,
  notify,
  onProject,
}: {
  designProfile: ExportProfile;
  onClose: () => void;
  notify: Notify;
  onProject: () => void;
}) {
  const [flavour, setFlavour] = useState<TemplateFlavour>("sam");
  const [profile, setProfile] = useState<ExportProfile>(designProfile);
  const [syntax, setSyntax] = useState<TemplateSyntax>("yaml");
  // A design made in archsim as three stacks: network, data, compute.
  const [layers, setLayers] = useState(false);
  const [exported, setExported] = useState<ExportedView | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A design imported from several stacks: which stack's file is shown.
  const [shown, setShown] = useState(0);
  useEffect(() => {
    let current = true;
    api.exportTemplate({ flavour, syntax, network: "generated", profile, layers }).then(
      (e) => {
        if (!current) return;
        setExported(e);
        setError(null);
      },
      (e) => {
        if (!current) return;
        setExported(null);
        setError(errorText(e));
      },
    );
    return () => {
      current = false;
    };
  }, [flavour, syntax, profile, layers]);

  const save = async () => {
    if (!exported) return;
    if (native) {
      try {
        const files = await saveTemplateNatively({ flavour, syntax, network: "generated", profile, layers });
        notify("info", `Wrote ${files.join(", ")}`);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", errorText(e));
      }
      return;
    }
    download(exported.file_name, exported.template, syntax === "json" ? "application/json" : "application/yaml");
    for (const m of [...exported.stacks.slice(1), ...exported.manifests]) download(m.file_name, m.text, "application/yaml");
  };
  const stack = exported && exported.stacks.length > 0 ? (exported.stacks[shown] ?? exported.stacks[0]) : null;

  return (
    <Modal title="Export template" onClose={onClose}>
      <div className="export-options">
        <ExportKind project={false} onChange={onProject} />
        <fieldset>
          <legend>Flavour</legend>
          <label>
            <input type="radio" name="flavour" checked={flavour === "sam"} onChange={() => setFlavour("sam")} /> SAM
          </label>
          <label>
            <input type="radio" name="flavour" checked={flavour === "cloudformation"} onChange={() => setFlavour("cloudformation")} /> CloudFormation
          </label>
        </fieldset>
        <fieldset>
          <legend>Syntax</legend>
          <label>
            <input type="radio" name="syntax" checked={syntax === "yaml"} onChange={() => setSyntax("yaml")} /> YAML
          </label>
          <label>
            <input type="radio" name="syntax" checked={syntax === "json"} onChange={() => setSyntax("json")} /> JSON
          </label>
        </fieldset>
        <fieldset>
          <legend>Profile</legend>
          <select aria-label="Export profile" value={profile} onChange={(e) => setProfile(e.target.value as ExportProfile)}>
            <option value="production">Production: HTTPS, access logs, KMS key, backups</option>
            <option value="sandbox">Sandbox: the minimal stack</option>
          </select>
        </fieldset>
        <fieldset>
          <legend>Stacks</legend>
          <label title="Network (VPC, load balancers, the stack key), data (tables, buckets, queues, topics) and compute, each its own file; later stacks import what they use from earlier ones">
            <input type="checkbox" checked={layers} onChange={(e) => { setLayers(e.target.checked); setShown(0); }} /> Three stacks: network, data, compute
          </label>
        </fieldset>
      </div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {exported && (
        <>
          {stack ? (
            <div className="field">
              <label htmlFor="export-stack">
                {exported.stacks.length} stacks, each saved to its own file side by side; showing
              </label>
              <select id="export-stack" data-testid="export-stack" value={shown} onChange={(e) => setShown(Number(e.target.value))}>
                {exported.stacks.map((s, i) => (
                  <option key={s.file_name} value={i}>
                    {s.file_name}
                  </option>
                ))}
              </select>
            </div>
          ) : (
            <div className="mono small">{exported.file_name}</div>
          )}
          <textarea className="code-box" readOnly value={stack ? stack.text : exported.template} aria-label="Template" data-testid="template-text" spellCheck={false} />
          {exported.manifests.length > 0 && (
            <div className="small">
              Kubernetes manifests saved beside it: {exported.manifests.map((m) => m.file_name).join(", ")}
            </div>
          )}
          {exported.notes.length > 0 && (
            <ul className="notes" data-testid="export-notes">
              {exported.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
        </>
      )}
      <div className="modal-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
        <button
          type="button"
          disabled={!exported}
          onClick={() =>
            exported &&
            navigator.clipboard.writeText(stack ? stack.text : exported.template).then(
              () => notify("info", "Template copied"),
              (e) => notify("error", `Copy failed: ${errorText(e)}`),
            )
          }
        >
          Copy
        </button>
        <button type="button" className="primary" disabled={!exported} onClick={save} data-testid="template-download">
          {native ? "Save…" : "Download"}
        </button>
      </div>
    </Modal>
  );
}

export function ImportReport({ report, onClose }: { report: ImportReportView; onClose: () => void }) {
  const sections: [string, string[]][] = [
    ...(report.stacks.length > 0 ? ([["Stacks", report.stacks]] as [string, string[]][]) : []),
    ["Mapped to components", report.mapped],
    ["Connections inferred", report.inferred],
    ["Kept as written (exported unchanged)", report.kept],
  ];
  return (
    <Modal title="Template imported" onClose={onClose}>
      <div className="import-report" data-testid="import-report">
        {sections.map(([title, lines]) => (
          <details key={title} open={lines.length > 0 && lines.length <= 12}>
            <summary>
              {title} ({lines.length})
            </summary>
            <ul className="mono small">
              {lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          </details>
        ))}
      </div>
      <div className="modal-actions">
        <button type="button" className="primary" onClick={onClose}>
          OK
        </button>
      </div>
    </Modal>
  );
}
