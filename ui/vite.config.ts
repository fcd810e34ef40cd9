import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The build is served by `archsim serve` (and later the Tauri shell) under a
// strict CSP: no inline scripts, no eval. Vite's module output satisfies it.
export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // ELK's worker (automatic layout) is 1.4 MB by itself, loaded only on Layout.
    chunkSizeWarningLimit: 1600,
    // Bundling ELK's worker is slow (2 s); the timing report says only that.
    rolldownOptions: { checks: { pluginTimings: false } },
  },
  worker: {
    // ELK's worker script is a classic script bundled as an IIFE; it needs a name.
    rolldownOptions: { output: { name: "ElkWorker" } },
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
