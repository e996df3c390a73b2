import * as os from 'os';
import * as path from 'path';
import { spawnRunner } from '../../shared/core/exec';
import { productVersion } from '../../shared/core/version';

/**
 * Predefined variables of a local run. Paths point into the run folder's work/ (the agent's
 * work folder), except the sources: `checkout: self` is the working tree itself.
 */

export interface GitInfo { commit: string; branch: string; root: string; user: string }

async function git(args: string[], cwd: string): Promise<string> {
  try {
    const r = await spawnRunner.run('git', args, { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return r.code === 0 ? r.stdout.trim() : '';
  } catch {
    return '';
  }
}

export async function gitInfo(dir: string): Promise<GitInfo> {
  const [commit, branch, root, user] = await Promise.all([
    git(['rev-parse', 'HEAD'], dir),
    git(['rev-parse', '--abbrev-ref', 'HEAD'], dir),
    git(['rev-parse', '--show-toplevel'], dir),
    git(['config', 'user.name'], dir),
  ]);
  return { commit, branch: branch === 'HEAD' ? '' : branch, root: root || dir, user: user || os.userInfo().username };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `name:` of the pipeline → build number; default $(Date:yyyyMMdd).$(Rev:r). */
export function formatBuildNumber(format: string | undefined, runNumber: number, vars: Record<string, string>, now = new Date()): string {
  const f = format?.trim() || '$(Date:yyyyMMdd).$(Rev:r)';
  const dayOfYear = Math.floor((Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) - Date.UTC(now.getFullYear(), 0, 0)) / 86_400_000);
  return f.replace(/\$\(([^)]+)\)/g, (m, body: string) => {
    const [k, arg] = body.split(':');
    switch (k.toLowerCase()) {
      case 'date': return (arg || 'yyyyMMdd').replace(/yyyy|yy|MM|dd|HH|mm|ss/g, (t) =>
        t === 'yyyy' ? String(now.getFullYear()) : t === 'yy' ? pad(now.getFullYear() % 100) : t === 'MM' ? pad(now.getMonth() + 1)
          : t === 'dd' ? pad(now.getDate()) : t === 'HH' ? pad(now.getHours()) : t === 'mm' ? pad(now.getMinutes()) : pad(now.getSeconds()));
      case 'rev': {
        const spec = arg ?? 'r';
        const dot = spec.startsWith('.') ? '.' : '';
        return dot + pad(runNumber, Math.max(1, spec.replace(/^\./, '').length));
      }
      case 'buildid': return String(runNumber);
      case 'dayofmonth': return pad(now.getDate());
      case 'dayofyear': return String(dayOfYear);
      case 'hours': return pad(now.getHours());
      case 'minutes': return pad(now.getMinutes());
      case 'seconds': return pad(now.getSeconds());
      case 'month': return pad(now.getMonth() + 1);
      case 'year': return arg === 'yy' ? pad(now.getFullYear() % 100) : String(now.getFullYear());
      case 'sourcebranchname': return vars['Build.SourceBranchName'] ?? '';
      case 'teamproject': return vars['System.TeamProject'] ?? '';
      case 'builddefinitionname': return vars['Build.DefinitionName'] ?? '';
      default: {
        const hit = Object.keys(vars).find((v) => v.toLowerCase() === body.toLowerCase());
        return hit ? vars[hit] : m;
      }
    }
  });
}

export interface Paths { runRoot: string; work: string; temp: string; staging: string; binaries: string; testResults: string }

export function predefinedVariables(opts: { git: GitInfo; runNumber: number; paths: Paths; pipelineFile: string; pipelineName?: string }): Record<string, string> {
  const { git: g, paths: p } = opts;
  const repoName = path.basename(g.root);
  const branch = g.branch || 'main';
  const v: Record<string, string> = {
    'Build.BuildId': String(opts.runNumber),
    'Build.SourceVersion': g.commit,
    'Build.SourceBranch': `refs/heads/${branch}`,
    'Build.SourceBranchName': branch.split('/').pop() ?? branch,
    'Build.SourcesDirectory': g.root,
    'Build.Repository.Name': repoName,
    'Build.Repository.LocalPath': g.root,
    'Build.Repository.Provider': 'Git',
    'Build.ArtifactStagingDirectory': p.staging,
    'Build.StagingDirectory': p.staging,
    'Build.BinariesDirectory': p.binaries,
    'Build.DefinitionName': repoName,
    'Build.Reason': 'Manual',
    'Build.RequestedFor': g.user,
    'Build.QueuedBy': g.user,
    'System.DefaultWorkingDirectory': g.root,
    'System.TeamProject': 'local',
    'System.TeamFoundationCollectionUri': 'http://localhost/',
    'System.CollectionUri': 'http://localhost/',
    'System.HostType': 'build',
    'System.Culture': 'en-US',
    'System.DefinitionName': repoName,
    'System.PullRequest.IsFork': 'False',
    'System.ArtifactsDirectory': p.staging,
    'Common.TestResultsDirectory': p.testResults,
    'Pipeline.Workspace': p.work,
    'Agent.BuildDirectory': p.work,
    'Agent.WorkFolder': p.work,
    'Agent.RootDirectory': p.work,
    'Agent.TempDirectory': p.temp,
    'Agent.ToolsDirectory': path.join(p.work, '_tool'),
    'Agent.HomeDirectory': path.resolve(__dirname, '..', '..'),
    'Agent.Name': `edgeops-local (${os.hostname()})`,
    'Agent.MachineName': os.hostname(),
    'Agent.Id': '1',
    'Agent.OS': process.platform === 'win32' ? 'Windows_NT' : process.platform === 'darwin' ? 'Darwin' : 'Linux',
    'Agent.OSArchitecture': process.arch === 'arm64' ? 'ARM64' : process.arch === 'arm' ? 'ARM' : 'X64',
    'Agent.Version': `edgeops-${productVersion()}`,
    'Agent.JobStatus': 'Succeeded',
  };
  v['Build.BuildNumber'] = formatBuildNumber(opts.pipelineName, opts.runNumber, v);
  return v;
}
