import { strict as assert } from 'assert';
import { deploymentLabels, labelValue, normalizeDeploymentId, renderDeploymentId, renderSeries } from '../../../shared/deploy/id';

describe('deploy: id templating and labels', () => {
  it('renders the default template and normalizes to IoT Hub id rules', () => {
    assert.equal(renderDeploymentId('', { name: 'My Project/Edge', buildId: '1234', stage: 'Deploy_Dev' }), 'my-project-edge-1234-deploy_dev');
    assert.equal(renderDeploymentId('{name}-{commit}', { name: 'x', commit: 'ABCDEF0123456789' }), 'x-abcdef01');
  });
  it('an empty token leaves no dangling separator', () => {
    assert.equal(renderDeploymentId('{name}-{buildId}-{stage}', { name: 'app', buildId: '7' }), 'app-7');
  });
  it('series drops the per-run tokens', () => {
    assert.equal(renderSeries('{name}-{buildId}-{attempt}-{stage}', { name: 'App', buildId: '9', attempt: '2', stage: 'qa' }), 'app-qa');
  });
  it('clear errors: unknown token, empty, too long', () => {
    assert.throws(() => renderDeploymentId('{name}-{build}', { name: 'a' }), /Unknown token \{build\}/);
    assert.throws(() => normalizeDeploymentId('///'), /empty after normalization/);
    assert.throws(() => normalizeDeploymentId('a'.repeat(129)), /129 characters; IoT Hub allows at most 128/);
    assert.equal(normalizeDeploymentId('a'.repeat(128)).length, 128);
  });
  it('labels: allowed characters only, at most 128', () => {
    assert.equal(labelValue('CI / main pipeline'), 'CI___main_pipeline');
    assert.equal(labelValue('x'.repeat(200)).length, 128);
    const l = deploymentLabels({ series: 'app-dev', contentHash: 'h', pipeline: 'p q', run: '1', commit: 'c', stage: 's' });
    assert.deepEqual(l, { 'edgeops.managedBy': 'edgeops', 'edgeops.series': 'app-dev', 'edgeops.contentHash': 'h', 'edgeops.pipeline': 'p_q', 'edgeops.run': '1', 'edgeops.commit': 'c', 'edgeops.stage': 's' });
  });
});
