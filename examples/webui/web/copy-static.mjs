// Copies the static files next to the bundle in dist/ (the build's second step).
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
for (const file of ["index.html"]) {
  copyFileSync(file, `dist/${file}`);
}
