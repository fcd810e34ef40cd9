import { describe, expect, it } from "vitest";
import { chartWidthFor, quantity, usd } from "./CostPanel";

describe("money and quantities in the cost panel", () => {
  it("shows decimal strings as dollars without going through a float", () => {
    expect(usd("2.73")).toBe("$2.73");
    expect(usd("1234567.5")).toBe("$1,234,567.50");
    expect(usd("0")).toBe("$0.00");
    expect(usd("-12.40")).toBe("-$12.40");
    expect(usd("90071992547409931.01")).toBe("$90,071,992,547,409,931.01");
  });
  it("groups quantities and keeps two decimals at most", () => {
    expect(quantity("1056456000")).toBe("1,056,456,000");
    expect(quantity("540000.123456")).toBe("540,000.12");
    expect(quantity("n/a")).toBe("n/a");
  });
});

describe("the width the panel's charts are drawn at", () => {
  it("is the room there is, in steps of 40 px, never under the core's narrowest chart", () => {
    expect(chartWidthFor(431)).toBe(400);
    expect(chartWidthFor(480)).toBe(480);
    expect(chartWidthFor(200)).toBe(320);
  });
});
