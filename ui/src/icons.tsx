// Component icons: AWS's official Architecture Icons, one per kind (the
// table is generated from the model: ComponentKind::aws_icon), and the
// category colours the minimap and the zoomed-out overview use.
import { AWS_ICON } from "./generated/awsIcons";
import type { Category } from "./generated/Category";
import type { ComponentKind } from "./generated/ComponentKind";

export const CATEGORY_COLOUR: Record<Category, string> = {
  event_sources: "#e7157b",
  compute: "#ed7100",
  containers: "#d45b07",
  networking: "#8c4fff",
  data: "#3b48cc",
  registries: "#01a88d",
  security: "#dd344c",
  other: "#5a6b86",
};

/** A kind's AWS Architecture Icon (from the aws-icons package, bundled: no
 * fetch at run time, so it works offline and under the strict CSP). */
export function KindIcon({ kind, size = 32 }: { kind: ComponentKind; size?: number }) {
  return <img src={AWS_ICON[kind]} width={size} height={size} alt="" aria-hidden="true" className="kind-icon" draggable={false} />;
}
