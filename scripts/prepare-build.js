// `npm run prepare`: builds dist/ on a local `npm install`/`npm ci` and when npm installs framerpc from git.
// `npm pack` and `npm publish` run `prepack` (which builds) before `prepare`, so the second build is skipped there.
const { execFileSync } = require('node:child_process');

const command = process.env.npm_command;
if (command === 'pack' || command === 'publish') process.exit(0);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit', cwd: `${__dirname}/..` });
