//! The diagram area: the design's cards at their canvas positions and
//! sizes, scaled to fit, with flows along the connections and each card's
//! live numbers.
//!
//! Geometry ([`Layout`]) is worked out once per design and area size, not
//! per frame. Drawing keeps the pixel count low, because a projector demo
//! may run on a machine without a GPU where every shaded pixel is CPU
//! time: square cards, an outline only on a card in trouble, no area fill
//! (the window's clear colour is the background), and as much text as the
//! card's size can show.

use std::collections::HashMap;

use archsim_model::component::Category;
use archsim_model::design::GroupKind;
use archsim_model::{ComponentKind, Design, Meaning};
use egui::text::{LayoutJob, TextWrapping};
use egui::{Color32, FontId, Pos2, Rect, Role, Sense, Stroke, Vec2};

use archsim_app::{DeploymentOutcome, Health};

use crate::{ComponentStatus, Presenter};

/// A card's size on the canvas (the web UI's `NODE_W` × `NODE_H`); a
/// component's position is its card's top-left corner.
pub const CARD: Vec2 = Vec2::new(164.0, 54.0);
/// Space around a group's cards inside its frame, and the frame's title
/// band (the web UI's `frames()`).
const FRAME_PAD: f32 = 28.0;
const FRAME_HEADER: f32 = 26.0;
/// Projector-friendly ceiling on magnification for small designs.
const MAX_SCALE: f32 = 1.6;
/// Margin inside the area, in pixels.
const MARGIN: f32 = 16.0;
/// Line height as a multiple of font size.
const LINE: f32 = 1.25;

/// The window background, and so the diagram's.
pub const BACKGROUND: Color32 = Color32::from_gray(18);

/// How far the diagram is zoomed and panned from fitting its area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// 1 fits the whole design; up to [`MAX_ZOOM`].
    pub zoom: f32,
    /// Screen pixels the zoomed diagram is moved by.
    pub pan: Vec2,
}

impl Default for View {
    fn default() -> Self {
        Self {
            zoom: 1.0,
            pan: Vec2::ZERO,
        }
    }
}

/// How far in the mouse wheel zooms.
pub const MAX_ZOOM: f32 = 8.0;

impl View {
    /// Zoomed by `factor` keeping the diagram point under `at` (a screen
    /// point) where it is, in an area centred on `centre`.
    pub fn zoomed(self, factor: f32, at: Pos2, centre: Pos2) -> Self {
        let zoom = (self.zoom * factor).clamp(1.0, MAX_ZOOM);
        let f = zoom / self.zoom;
        Self {
            zoom,
            pan: (at - centre) - (at - centre - self.pan) * f,
        }
    }
}

/// Where everything in the diagram goes for one area.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub area: Rect,
    pub view: View,
    /// Pixels per canvas unit.
    pub scale: f32,
    /// Each component's card, in the design's order.
    pub cards: Vec<Card>,
    /// Group frames, biggest first (so nested ones draw on top).
    pub frames: Vec<GroupFrame>,
    index: HashMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Card {
    pub id: String,
    pub rect: Rect,
    /// Free room under the card for its live numbers, if a line fits
    /// without covering another card.
    pub below: Option<Rect>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupFrame {
    pub name: String,
    pub kind: GroupKind,
    pub rect: Rect,
}

/// Font sizes for a scale: canvas sizes, magnified, within what a
/// projector can show and a card can hold.
pub fn font_sizes(scale: f32) -> (f32, f32) {
    (
        (13.0 * scale).clamp(9.0, 22.0),
        (11.0 * scale).clamp(8.0, 17.0),
    )
}

impl Layout {
    /// The design fitted to `area`.
    pub fn new(design: &Design, area: Rect) -> Self {
        Self::with_view(design, area, View::default())
    }

    /// The design fitted to `area`, then zoomed and panned by `view`.
    pub fn with_view(design: &Design, area: Rect, view: View) -> Self {
        // Canvas-space rectangles: cards, then frames around group members.
        let world: Vec<(String, Rect)> = design
            .components()
            .map(|c| {
                let min = Pos2::new(c.position.x as f32, c.position.y as f32);
                (c.id.clone(), Rect::from_min_size(min, CARD))
            })
            .collect();
        let index: HashMap<String, usize> = world
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i))
            .collect();
        let mut frames: Vec<GroupFrame> = design
            .groups()
            .filter_map(|g| {
                let rects = g
                    .members
                    .iter()
                    .chain(g.owner.iter())
                    .filter_map(|id| index.get(id.as_str()).map(|&i| world[i].1));
                let bounds = rects.reduce(|a, b| a.union(b))?;
                Some(GroupFrame {
                    name: g.name.clone(),
                    kind: g.kind,
                    rect: Rect::from_min_max(
                        bounds.min - Vec2::new(FRAME_PAD, FRAME_PAD + FRAME_HEADER),
                        bounds.max + Vec2::splat(FRAME_PAD),
                    ),
                })
            })
            .collect();
        frames.sort_by(|a, b| b.rect.area().total_cmp(&a.rect.area()));
        let bounds = world
            .iter()
            .map(|(_, r)| *r)
            .chain(frames.iter().map(|f| f.rect))
            .reduce(|a, b| a.union(b))
            .unwrap_or(Rect::from_min_size(Pos2::ZERO, CARD));
        let inner = area.shrink(MARGIN);
        let scale = (inner.width() / bounds.width())
            .min(inner.height() / bounds.height())
            .clamp(0.01, MAX_SCALE);
        let offset = inner.center().to_vec2() - bounds.center().to_vec2() * scale;
        // The view around the area's centre: x -> (x - c) * zoom + c + pan.
        let c = area.center().to_vec2();
        let scale = scale * view.zoom;
        let offset = (offset - c) * view.zoom + c + view.pan;
        let place = |r: Rect| {
            Rect::from_min_max(
                (r.min.to_vec2() * scale + offset).to_pos2(),
                (r.max.to_vec2() * scale + offset).to_pos2(),
            )
        };
        let rects: Vec<Rect> = world.iter().map(|(_, r)| place(*r)).collect();
        let line = font_sizes(scale).1 * LINE;
        let cards = world
            .into_iter()
            .enumerate()
            .map(|(i, (id, _))| Card {
                id,
                rect: rects[i],
                below: room_below(&rects, i, line, area),
            })
            .collect();
        for f in &mut frames {
            f.rect = place(f.rect);
        }
        Self {
            area,
            view,
            scale,
            cards,
            frames,
            index,
        }
    }

    pub fn card(&self, id: &str) -> Option<&Card> {
        self.index.get(id).map(|&i| &self.cards[i])
    }

    /// Lines a card can hold: the name, then the kind or the live numbers.
    pub fn lines_inside(&self) -> usize {
        let (name, small) = font_sizes(self.scale);
        let inner = CARD.y * self.scale - 4.0;
        if inner >= (name + 2.0 * small) * LINE {
            3
        } else if inner >= (name + small) * LINE {
            2
        } else {
            1
        }
    }
}

/// The strip under card `i`, one line tall, reaching right until the next
/// card beside it (at most one more card width, so its neighbour's strip
/// is not covered); `None` if another card sits right under it.
fn room_below(cards: &[Rect], i: usize, line: f32, area: Rect) -> Option<Rect> {
    let card = cards[i];
    let mut strip = Rect::from_min_size(
        Pos2::new(card.min.x, card.max.y + 1.0),
        Vec2::new(card.width() * 2.0, line),
    );
    strip.max.x = strip.max.x.min(area.max.x);
    if strip.max.y > area.max.y {
        return None;
    }
    // The card's rows and the strip's: another card with its own strip,
    // starting to the right in them, ends the strip; one under the card
    // leaves no room.
    let band = Rect::from_min_max(card.min, strip.max);
    for (j, other) in cards.iter().enumerate() {
        let with_strip = Rect::from_min_max(other.min, other.max + Vec2::new(0.0, line + 1.0));
        if j == i || !with_strip.intersects(band) {
            continue;
        }
        if other.min.x >= card.max.x - 1.0 {
            strip.max.x = strip.max.x.min(other.min.x - 4.0);
        } else if with_strip.intersects(strip) {
            return None;
        }
    }
    (strip.width() >= card.width() * 0.5).then_some(strip)
}

/// The live numbers, most telling first, as separate parts (a narrow card
/// shows the first few whole parts that fit).
pub fn badge_parts(s: &ComponentStatus) -> Vec<String> {
    let mut parts = vec![format!("{:.0} rps", s.requests_per_s)];
    // A deployment under way is what the audience watches; once it ended,
    // what goes wrong now comes before how it ended.
    let deploying = s
        .deployment
        .as_ref()
        .is_some_and(|d| d.outcome == DeploymentOutcome::InProgress);
    if deploying {
        parts.extend(deployment_part(s));
    }
    if s.errors > 0 {
        parts.push(plural(s.errors, "error"));
    }
    if s.throttles > 0 {
        parts.push(format!("{} throttled", s.throttles));
    }
    if !deploying {
        parts.extend(deployment_part(s));
    }
    if s.queue_depth > 0 {
        parts.push(format!("queue {}", s.queue_depth));
    }
    if s.p99_ms > 0.0 {
        parts.push(format!("p99 {}", duration(s.p99_ms)));
    }
    parts.push(format!("{} busy", s.concurrency));
    // Idle environments kept warm: what the next burst starts on.
    if s.environments > s.concurrency {
        parts.push(format!("{} warm", s.environments - s.concurrency));
    }
    if s.cold_starts > 0 {
        parts.push(format!("{} cold", s.cold_starts));
    }
    parts
}

/// A component's latest deployment: the new version and its share of
/// traffic while it runs, with its errors so far (`v2 10% (12 errors)`),
/// then how it ended (`v2 100%`, `v2 rolled back`, `v2 failed`).
pub fn deployment_part(s: &ComponentStatus) -> Option<String> {
    let d = s.deployment.as_ref()?;
    let v = d.version;
    Some(match d.outcome {
        DeploymentOutcome::InProgress if d.new.errors > 0 => {
            format!("v{v} {}% ({})", d.percent, plural(d.new.errors, "error"))
        }
        DeploymentOutcome::InProgress | DeploymentOutcome::Succeeded => {
            format!("v{v} {}%", d.percent)
        }
        DeploymentOutcome::RolledBack => format!("v{v} rolled back"),
        DeploymentOutcome::Failed => format!("v{v} failed"),
    })
}

/// The colour of a deployment's line: red when the new version fails or
/// was rolled back, blue while it goes well.
fn deployment_colour(s: &ComponentStatus) -> Color32 {
    match &s.deployment {
        Some(d)
            if d.new.errors > 0
                || matches!(
                    d.outcome,
                    DeploymentOutcome::RolledBack | DeploymentOutcome::Failed
                ) =>
        {
            DEPLOY_BAD
        }
        _ => DEPLOY_OK,
    }
}

/// A deployment's line: blue while it goes well, red when the new version
/// fails, on a dark strip.
const DEPLOY_OK: Color32 = Color32::from_rgb(140, 200, 255);
const DEPLOY_BAD: Color32 = Color32::from_rgb(255, 110, 110);
const DEPLOY_BACKDROP: Color32 = Color32::from_rgba_premultiplied(0, 0, 0, 170);

/// A latency as people write it: `250 ms`, `1.3 s`, `26 s`, `4.4 min`,
/// `2.1 h` (never "26000 ms").
pub fn duration(ms: f64) -> String {
    let a = ms.abs();
    if a < 1_000.0 {
        format!("{ms:.0} ms")
    } else if a < 60_000.0 {
        format!("{:.*} s", usize::from(a < 10_000.0), ms / 1_000.0)
    } else if a < 3_600_000.0 {
        format!("{:.*} min", usize::from(a < 600_000.0), ms / 60_000.0)
    } else {
        format!("{:.1} h", ms / 3_600_000.0)
    }
}

/// `1 error`, `2 errors`.
fn plural(n: u64, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// As many leading parts as fit in `width`, joined, given a way to measure
/// text; the first part is always kept.
pub fn fit_parts(parts: &[String], width: f32, measure: impl Fn(&str) -> f32) -> String {
    let mut shown = parts.first().cloned().unwrap_or_default();
    for p in parts.iter().skip(1) {
        let longer = format!("{shown} · {p}");
        if measure(&longer) > width {
            break;
        }
        shown = longer;
    }
    shown
}

/// Kinds whose badge means something (roles, registries, task
/// definitions and clusters carry no requests).
fn carries_traffic(kind: ComponentKind) -> bool {
    use ComponentKind as K;
    !matches!(
        kind,
        K::IamRole
            | K::EcrRepository
            | K::ExternalRegistry
            | K::TaskDefinition
            | K::EcsCluster
            | K::EksCluster
            | K::Fargate
            | K::FargateSpot
    )
}

/// Dots drawn on an edge: a few for any traffic, more as it grows.
fn flow_dots(rps: f64) -> usize {
    if rps <= 0.0 {
        0
    } else {
        (1.0 + rps.log10().max(0.0) * 2.0).round() as usize
    }
}

fn category_colour(c: Category) -> Color32 {
    match c {
        Category::EventSources => Color32::from_rgb(150, 60, 120),
        Category::Compute => Color32::from_rgb(200, 110, 20),
        Category::Containers => Color32::from_rgb(200, 90, 40),
        Category::Networking => Color32::from_rgb(110, 70, 170),
        Category::Data => Color32::from_rgb(40, 110, 180),
        Category::Registries => Color32::from_rgb(60, 130, 90),
        Category::Security => Color32::from_rgb(170, 50, 50),
        Category::Other => Color32::from_gray(90),
    }
}

fn meaning_colour(m: Meaning) -> Color32 {
    match m {
        Meaning::InvokeAsync | Meaning::Publishes | Meaning::DeadLetter => {
            Color32::from_rgb(120, 170, 255)
        }
        Meaning::Poll => Color32::from_rgb(200, 160, 255),
        Meaning::Uses => Color32::from_rgb(120, 220, 160),
        Meaning::AssumesRole | Meaning::PullsImage | Meaning::RunsTask | Meaning::RunsOn => {
            Color32::from_gray(90)
        }
        _ => Color32::from_gray(200),
    }
}

fn health_colour(h: Health) -> Color32 {
    match h {
        Health::Ok => Color32::from_gray(200),
        Health::Strained => Color32::from_rgb(255, 176, 0),
        Health::Failing => Color32::from_rgb(255, 90, 90),
    }
}

/// One line of text, cut with "…" to `rect`'s width, left-aligned and
/// vertically centred, and named in the accessibility tree (which the
/// headless tests read).
pub(crate) fn text_line(ui: &egui::Ui, rect: Rect, text: &str, font: FontId, colour: Color32) {
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font, colour);
    job.wrap = TextWrapping::truncate_at_width(rect.width());
    let galley = ui.painter().layout_job(job);
    let pos = Pos2::new(rect.min.x, rect.center().y - galley.size().y / 2.0);
    let shown = galley.text().to_owned();
    ui.painter().galley(pos, galley, colour);
    let id = ui
        .scope_id()
        .with(("text", rect.min.x.to_bits(), rect.min.y.to_bits()));
    ui.interact(rect, id, Sense::hover())
        .widget_info(|| egui::WidgetInfo::labeled(Role::Label, true, &shown));
}

impl Presenter {
    /// Draws the diagram into `ui`, whose clip rectangle is `area`.
    pub(crate) fn diagram(&mut self, ui: &mut egui::Ui, area: Rect) {
        // The SVG loader for the kinds' icons (installing twice is a no-op).
        egui_extras::install_image_loaders(ui.ctx());
        // The wheel zooms around the pointer, a drag pans, 0 fits again.
        let input = ui.interact(area, ui.scope_id().with("diagram"), Sense::click_and_drag());
        if input.dragged() {
            self.view.pan += input.drag_delta();
        }
        if input.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if let Some(at) = input.hover_pos().filter(|_| scroll != 0.0) {
                self.view = self.view.zoomed((scroll * 0.002).exp(), at, area.center());
            }
        }
        if ui.input(|i| i.key_pressed(egui::Key::Num0)) {
            self.view = View::default();
        }
        if self
            .layout
            .as_ref()
            .is_none_or(|l| l.area != area || l.view != self.view)
        {
            self.layout = Some(Layout::with_view(&self.design, area, self.view));
        }
        let Some(layout) = self.layout.as_ref() else {
            return;
        };
        // A click on a card shows its charts; elsewhere, the design's.
        if input.clicked() {
            let at = input.interact_pointer_pos();
            let hit = layout
                .cards
                .iter()
                .rev()
                .find(|c| at.is_some_and(|p| c.rect.contains(p)));
            self.selected = hit.map(|c| c.id.clone());
        }
        let painter = ui.painter().clone();
        let scale = layout.scale;
        let (name_size, small_size) = font_sizes(scale);
        let thin = (1.0 * scale).clamp(1.0, 2.0);

        for f in &layout.frames {
            let colour = match f.kind {
                GroupKind::EcsCluster | GroupKind::EksCluster => Color32::from_rgb(200, 90, 40),
                GroupKind::Vpc => Color32::from_rgb(120, 170, 90),
                GroupKind::AvailabilityZone => Color32::from_rgb(90, 140, 200),
                GroupKind::Frame => Color32::from_gray(110),
            };
            painter.rect_stroke(
                f.rect,
                0.0,
                Stroke::new(thin, colour),
                egui::StrokeKind::Inside,
            );
            let title = Rect::from_min_size(
                f.rect.min + Vec2::splat(4.0 * scale.max(1.0)),
                Vec2::new(f.rect.width() - 8.0, small_size * LINE),
            );
            text_line(ui, title, &f.name, FontId::proportional(small_size), colour);
        }

        let t = self.frame.time_s as f32;
        let dot = (3.5 * scale).clamp(2.0, 5.0);
        for conn in self.design.connections() {
            let (Some(from), Some(to)) = (layout.card(&conn.from), layout.card(&conn.to)) else {
                continue;
            };
            // Right side of the source to the left side of the target, as
            // the canvas draws them.
            let a = from.rect.right_center();
            let b = to.rect.left_center();
            let colour = meaning_colour(conn.kind.meaning());
            painter.line_segment([a, b], Stroke::new(thin, colour));
            let dir = (b - a).normalized();
            let side = Vec2::new(-dir.y, dir.x) * (5.0 * scale).clamp(3.0, 7.0);
            let back = b - dir * (10.0 * scale).clamp(6.0, 14.0);
            painter.add(egui::Shape::convex_polygon(
                vec![b, back + side, back - side],
                colour,
                Stroke::NONE,
            ));
            // Moving dots: more traffic, more dots.
            let rps = self
                .frame
                .components
                .get(&conn.to)
                .map_or(0.0, |s| s.requests_per_s);
            let dots = flow_dots(rps);
            for k in 0..dots {
                let phase = (t * 0.5 + k as f32 / dots as f32).rem_euclid(1.0);
                painter.circle_filled(a + (b - a) * phase, dot, colour);
            }
        }

        let lines = layout.lines_inside();
        let pad = (6.0 * scale).clamp(2.0, 10.0);
        for card in &layout.cards {
            let Some(c) = self.design.component(&card.id) else {
                continue;
            };
            let rect = card.rect;
            let status = self
                .frame
                .components
                .get(&card.id)
                .filter(|_| carries_traffic(c.kind()));
            let h = status.map_or(Health::Ok, |s| s.health);
            painter.rect_filled(rect, 0.0, category_colour(c.kind().category()));
            if self.selected.as_deref() == Some(card.id.as_str()) {
                painter.rect_stroke(
                    rect.expand(if h == Health::Ok { 0.0 } else { 3.0 }),
                    0.0,
                    Stroke::new(2.0, Color32::WHITE),
                    egui::StrokeKind::Outside,
                );
            }
            if h != Health::Ok {
                painter.rect_stroke(
                    rect,
                    0.0,
                    Stroke::new(3.0, health_colour(h)),
                    egui::StrokeKind::Outside,
                );
            }
            let inner = rect.shrink2(Vec2::new(pad, 2.0));
            let mut y = inner.min.y;
            // The name's line starts with the kind's AWS icon on a white tile
            // (resource icons are coloured glyphs on no background); the
            // lines below keep the card's whole width for the live numbers.
            let side = name_size * LINE;
            let mut name_rect = Rect::from_min_size(inner.min, Vec2::new(inner.width(), side));
            if side >= 10.0
                && inner.width() > 3.0 * side
                && let Some((uri, svg)) = crate::icons::icon(c.kind())
            {
                let tile = Rect::from_min_size(inner.min, Vec2::splat(side)).shrink(1.0);
                painter.rect_filled(tile, 2.0, Color32::WHITE);
                egui::Image::from_bytes(uri, svg).paint_at(ui, tile.shrink(1.0));
                name_rect.min.x = tile.max.x + pad / 2.0;
            }
            text_line(
                ui,
                name_rect,
                &c.name,
                FontId::proportional(name_size),
                Color32::WHITE,
            );
            y += side;
            let mut line = |ui: &egui::Ui, text: &str, size: f32, colour: Color32| {
                let r = Rect::from_min_size(
                    Pos2::new(inner.min.x, y),
                    Vec2::new(inner.width(), size * LINE),
                );
                y += size * LINE;
                if colour == DEPLOY_OK || colour == DEPLOY_BAD {
                    // A dark strip under a deployment's line, so its colour
                    // reads on any card.
                    painter.rect_filled(r.expand2(Vec2::new(2.0, 0.0)), 2.0, DEPLOY_BACKDROP);
                }
                text_line(ui, r, text, FontId::proportional(size), colour);
            };
            let parts = status.map(badge_parts);
            let small = FontId::proportional(small_size);
            let fit = |parts: &[String], width: f32| {
                fit_parts(parts, width, |t| {
                    painter
                        .layout_no_wrap(t.to_owned(), small.clone(), Color32::WHITE)
                        .size()
                        .x
                })
            };
            let kind = c.kind().label();
            match (lines, &parts) {
                (3, Some(parts)) => {
                    // A deployment takes the kind's line, so it is always
                    // seen whole.
                    match status.and_then(|s| Some((s, deployment_part(s)?))) {
                        Some((s, deployment)) => {
                            line(ui, &deployment, small_size, deployment_colour(s));
                            let rest: Vec<String> = parts
                                .iter()
                                .filter(|p| **p != deployment)
                                .cloned()
                                .collect();
                            line(ui, &fit(&rest, inner.width()), small_size, health_colour(h));
                        }
                        None => {
                            line(ui, kind, small_size, Color32::from_gray(225));
                            line(ui, &fit(parts, inner.width()), small_size, health_colour(h));
                        }
                    }
                }
                (2, Some(parts)) => {
                    line(ui, &fit(parts, inner.width()), small_size, health_colour(h))
                }
                (1, Some(parts)) => {
                    if let Some(below) = card.below {
                        let shown = fit(parts, below.width());
                        text_line(ui, below, &shown, small.clone(), health_colour(h));
                    }
                }
                (n, None) if n >= 2 => line(ui, kind, small_size, Color32::from_gray(225)),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_switch_units_instead_of_growing_digits() {
        assert_eq!(duration(250.0), "250 ms");
        assert_eq!(duration(1_260.0), "1.3 s");
        assert_eq!(duration(26_000.0), "26 s");
        assert_eq!(duration(265_000.0), "4.4 min");
        assert_eq!(duration(7_560_000.0), "2.1 h");
    }

    #[test]
    fn one_error_is_singular() {
        assert_eq!(plural(1, "error"), "1 error");
        assert_eq!(plural(3, "error"), "3 errors");
    }
}
