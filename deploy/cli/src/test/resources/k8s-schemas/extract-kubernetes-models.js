// Extracts the JSON Schemas that the kubernetes-models npm packages publish into plain JSON files.
//   node extract-kubernetes-models.js OUT_DIR KUBERNETES_MODELS_DIR APIMACHINERY_DIR PROMETHEUS_OPERATOR_DIR
// where each *_DIR is an unpacked `npm pack` (its package/ folder) of kubernetes-models@4.1.0,
// @kubernetes-models/apimachinery@1.1.0 and @kubernetes-models/prometheus-operator@4.0.0.
// Each generated module registers its schema with @kubernetes-models/validate; a stub collects them.
// $ref "X#" (the packages' schema ids) become "#/definitions/X". Nothing else is changed.
const fs = require('fs');
const path = require('path');
const Module = require('module');
const [outDir, modelsDir, apimachineryDir, prometheusDir] = process.argv.slice(2);

const schemas = {};
const stubs = {
  '@kubernetes-models/validate': { register: (id, schema) => { schemas[id] = schema; }, validate: () => {} },
  '@kubernetes-models/base': {
    Model: class Model { constructor(d) { Object.assign(this, d || {}); } },
    setSchema: (cls, id, add) => add(),
    createTypeMetaGuard: () => () => true,
  },
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (stubs[request]) return stubs[request];
  const machinery = '@kubernetes-models/apimachinery/';
  if (request.startsWith(machinery)) return load(path.resolve(apimachineryDir, request.slice(machinery.length)), parent, isMain);
  return load(request, parent, isMain);
};

function rewrite(node) {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] = (k === '$ref' && typeof v === 'string' && v.endsWith('#')) ? '#/definitions/' + v.slice(0, -1) : rewrite(v);
    }
    return out;
  }
  return node;
}
function take(comment, file) {
  const sorted = Object.fromEntries(Object.keys(schemas).sort().map(k => [k, schemas[k]]));
  fs.writeFileSync(path.join(outDir, file), JSON.stringify({ $comment: comment, definitions: rewrite(sorted) }, null, 1) + '\n');
  for (const k of Object.keys(schemas)) delete schemas[k];
}

for (const kind of ['IoK8sApiAppsV1Deployment', 'IoK8sApiCoreV1Service', 'IoK8sApiCoreV1ConfigMap',
  'IoK8sApiAutoscalingV2HorizontalPodAutoscaler', 'IoK8sApiCoreV1PersistentVolumeClaim']) {
  require(path.resolve(modelsDir, '_schemas', kind + '.js')).addSchema();
}
take('kubernetes-models@4.1.0 (Kubernetes v1.25.2 OpenAPI) + @kubernetes-models/apimachinery@1.1.0; extracted by extract-kubernetes-models.js',
  'kubernetes-v1.25.2-definitions.json');
require(path.resolve(prometheusDir, 'monitoring.coreos.com/v1/ServiceMonitor.js'));
take('@kubernetes-models/prometheus-operator@4.0.0 (prometheus-operator v0.57.0 CRD monitoring.coreos.com_servicemonitors.yaml) + @kubernetes-models/apimachinery@1.1.0; extracted by extract-kubernetes-models.js',
  'servicemonitor-monitoring.coreos.com-v1.json');
require(path.resolve(prometheusDir, 'monitoring.coreos.com/v1/PrometheusRule.js'));
take('@kubernetes-models/prometheus-operator@4.0.0 (prometheus-operator v0.57.0 CRD monitoring.coreos.com_prometheusrules.yaml) + @kubernetes-models/apimachinery@1.1.0; extracted by extract-kubernetes-models.js',
  'prometheusrule-monitoring.coreos.com-v1.json');
