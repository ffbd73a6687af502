// For each changed file read from stdin (a JSON array), asks Nx's own API what `nx show projects
// --affected --files=<file>` and `nx affected -t deploy --files=<file>` compute: the affected
// projects, and the deploy task graph of those that have a deploy target. One project graph
// serves every file, where the CLI would build it once per question (about a second each).
// Run as a child process: Nx's project graph loader does not belong in Jest's module sandbox.
const { readFileSync } = require('node:fs');

const root = process.argv[2];
process.chdir(root);
const nx = (path) => require(require.resolve(`nx/src/${path}`, { paths: [root] }));
const { createProjectGraphAsync } = nx('devkit-exports');
const { readNxJson } = nx('config/nx-json');
const { filterAffected } = nx('project-graph/affected/affected-project-graph');
const { calculateFileChanges } = nx('project-graph/file-utils');
const { createTaskGraph } = nx('tasks-runner/create-task-graph');

async function main() {
  const files = JSON.parse(readFileSync(0, 'utf8'));
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const nxJson = readNxJson();
  const results = {};
  for (const file of files) {
    // The same calls as `nx show projects --affected` and `nx affected` make with --files.
    const affected = Object.keys((await filterAffected(graph, calculateFileChanges([file], { files: [file] }), nxJson)).nodes).sort();
    const withDeploy = affected.filter((project) => graph.nodes[project].data.targets?.deploy);
    const deploy = createTaskGraph(graph, {}, withDeploy, ['deploy'], undefined, {}).dependencies;
    results[file] = { affected, deploy };
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
