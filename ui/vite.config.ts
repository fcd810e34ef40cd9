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
    chunkSizeWarningLimit: 1200,
  },
  test: {
    include: ["src/**/*.test.ts"],
  },
});
