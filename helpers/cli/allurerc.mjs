// Allure 3 configuration for `npm run report`: one self-contained HTML file.
import { defineConfig } from 'allure';

export default defineConfig({
  name: 'NHN conformance suite',
  output: process.env.ALLURE_OUTPUT ?? 'reports/allure-report',
  // Kept between runs (CI carries it from run to run: see .github/workflows and .gitlab-ci.yml).
  historyPath: process.env.ALLURE_HISTORY ?? 'reports/allure-history.jsonl',
  // Failures by whose fault they are: the suite's catalogue fixture labels each failed test with
  // its class (fixtures/index.ts); the error's class name is the fallback.
  categories: [
    { id: 'contract', name: 'Contract: the API broke a documented rule', matchers: [{ labels: { failureClass: 'contract' } }, { message: /ContractError|expect\(/ }], groupBy: [{ label: 'epic' }] },
    { id: 'infrastructure', name: 'Infrastructure: the environment did not answer as an API should (down, timeout, gateway)', matchers: [{ labels: { failureClass: 'infrastructure' } }, { message: /InfrastructureError|Timeout/ }], groupBy: [{ label: 'epic' }] },
    { id: 'suite', name: 'Suite: configuration or the suite itself', matchers: [{ labels: { failureClass: 'suite' } }, { message: /ConfigurationError|GuardError|TokenRequestError|CatalogueError/ }] },
    { id: 'deviates', name: 'Deviates: an assumption the sources leave open, met another way (never a failure unless strict or calibrated)', matchers: [{ labels: { failureClass: 'deviates' } }], groupBy: [{ label: 'epic' }] },
    { id: 'inconclusive', name: 'Inconclusive: the environment did not let the rule be exercised', matchers: [{ labels: { failureClass: 'inconclusive' } }, { statuses: ['skipped'], message: /^inconclusive:/ }] },
  ],
  plugins: {
    awesome: { options: { singleFile: true, reportName: 'NHN conformance suite', groupBy: ['parentSuite', 'suite', 'subSuite'] } },
  },
});
