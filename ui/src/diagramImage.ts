// Export the diagram as an image: html-to-image renders the React Flow
// viewport (nodes, edges, labels; not the minimap or controls) framed on
// all components, as React Flow's "download image" example does. The
// result is a data: URL saved through a download link, which the page's
// CSP (img-src 'self' data:, no inline script) allows.
import { getNodesBounds, getViewportForBounds, type Node } from "@xyflow/react";
import { toPng, toSvg } from "html-to-image";

export type ImageFormat = "png" | "svg";

const PADDING = 0.1;
const MAX_SIDE = 4096;

/** The image size for a diagram: its bounds at scale 1, within limits. */
export function imageSize(bounds: { width: number; height: number }): { width: number; height: number } {
  const width = Math.max(320, bounds.width * (1 + 2 * PADDING));
  const height = Math.max(240, bounds.height * (1 + 2 * PADDING));
  const shrink = Math.min(1, MAX_SIDE / Math.max(width, height));
  return { width: Math.round(width * shrink), height: Math.round(height * shrink) };
}

/** Renders the viewport as a PNG or SVG data URL framed on `nodes`. */
export async function renderDiagram(viewport: HTMLElement, nodes: Node[], format: ImageFormat): Promise<string> {
  const bounds = getNodesBounds(nodes);
  const { width, height } = imageSize(bounds);
  const view = getViewportForBounds(bounds, width, height, 0.05, 2, PADDING);
  const options = {
    backgroundColor: "#ffffff",
    width,
    height,
    style: {
      width: `${width}px`,
      height: `${height}px`,
      transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`,
    },
  };
  return format === "png" ? toPng(viewport, options) : toSvg(viewport, options);
}

/** Saves a data URL as a file through the browser's download. */
export function downloadUrl(fileName: string, url: string) {
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

/** The bytes a data: URL holds (base64 or percent-encoded), without
 * fetch, which the desktop CSP's connect-src does not allow for data:. */
export function dataUrlBytes(url: string): Uint8Array {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma < 0) throw new Error("not a data: URL");
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (head.endsWith(";base64")) return Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
  return new TextEncoder().encode(decodeURIComponent(body));
}
