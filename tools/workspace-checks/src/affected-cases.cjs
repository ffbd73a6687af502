// Answers the task-graph checks from Nx's own API in one process: for each changed file, what
// `nx show projects --affected --files=<file>` and `nx affected -t deploy --files=<file>` compute
// (the affected projects, and the deploy task graph of those that have a deploy target); and for
// each `nx run`/`nx run-many` asked, the task graph it would schedule. One project graph serves
// every question, where the CLI would build it once per question (over a second each).
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
  const { files, runs } = JSON.parse(readFileSync(0, 'utf8'));
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const nxJson = readNxJson();
  const taskGraphOf = (projects, targets) => createTaskGraph(graph, {}, projects, targets, undefined, {}).dependencies;
  const affected = {};
  for (const file of files) {
    // The same calls as `nx show projects --affected` and `nx affected` make with --files.
    const projects = Object.keys((await filterAffected(graph, calculateFileChanges([file], { files: [file] }), nxJson)).nodes).sort();
    const withDeploy = projects.filter((project) => graph.nodes[project].data.targets?.deploy);
    affected[file] = { affected: projects, deploy: taskGraphOf(withDeploy, ['deploy']) };
  }
  const graphs = {};
  for (const run of runs) {
    // `nx run p:t` is one project's target; `nx run-many -t t` every project that has it.
    const [project, target] = run.split(':');
    graphs[run] =
      project === '*'
        ? taskGraphOf(Object.keys(graph.nodes).filter((p) => graph.nodes[p].data.targets?.[target]), [target])
        : taskGraphOf([project], [target]);
  }
  process.stdout.write(JSON.stringify({ affected, graphs }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
