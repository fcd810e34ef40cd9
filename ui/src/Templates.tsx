// Templates: the Export dialog (the core renders the template; this shows
// it, copies it and saves it) and the report of an import.
import { useEffect, useState } from "react";
import { api, ApiError, native, saveTemplateNatively } from "./api";
import { Modal } from "./Dialogs";
import type { ExportedView } from "./generated/ExportedView";
import type { ExportProfile } from "./generated/ExportProfile";
import type { ImportReportView } from "./generated/ImportReportView";
import type { TemplateFlavour } from "./generated/TemplateFlavour";
import type { TemplateSyntax } from "./generated/TemplateSyntax";
import { errorText } from "./Inspector";

/** Saves text as a file through the browser: a Blob URL on a download link
 * (no inline script, so the page's CSP stays strict). */
export function download(fileName: string, text: string, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ExportDialog({
  designProfile,
  onClose,
  notify,
}: {
  /** The design's own export profile: the dialog starts from it. */
  designProfile: ExportProfile;
  onClose: () => void;
  notify: (kind: "error" | "info", text: string) => void;
}) {
  const [flavour, setFlavour] = useState<TemplateFlavour>("sam");
  const [profile, setProfile] = useState<ExportProfile>(designProfile);
  const [syntax, setSyntax] = useState<TemplateSyntax>("yaml");
  const [exported, setExported] = useState<ExportedView | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    api.exportTemplate({ flavour, syntax, network: "generated", profile }).then(
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
  }, [flavour, syntax, profile]);

  const save = async () => {
    if (!exported) return;
    if (native) {
      try {
        const files = await saveTemplateNatively({ flavour, syntax, network: "generated", profile });
        notify("info", `Wrote ${files.join(", ")}`);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === "cancelled")) notify("error", errorText(e));
      }
      return;
    }
    download(exported.file_name, exported.template, syntax === "json" ? "application/json" : "application/yaml");
    for (const m of exported.manifests) download(m.file_name, m.text, "application/yaml");
  };

  return (
    <Modal title="Export template" onClose={onClose}>
      <div className="export-options">
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
      </div>
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      {exported && (
        <>
          <div className="mono small">{exported.file_name}</div>
          <textarea className="code-box" readOnly value={exported.template} aria-label="Template" data-testid="template-text" spellCheck={false} />
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
            navigator.clipboard.writeText(exported.template).then(
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
