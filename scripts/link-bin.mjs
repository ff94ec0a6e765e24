// Links the package's own command into node_modules/.bin, as npm does for dependencies but not
// for the root package, so `node_modules/.bin/alignboard` works in a checkout. (A self-dependency
// would do it too, but breaks `npx alignboard` on a fresh npm cache.)
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';

mkdirSync('node_modules/.bin', { recursive: true });
rmSync('node_modules/.bin/alignboard', { force: true });
symlinkSync('../../bin/alignboard.js', 'node_modules/.bin/alignboard');
