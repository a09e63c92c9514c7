// Allure 3 configuration for `npm run report`: one self-contained HTML file.
import { defineConfig } from 'allure';

export default defineConfig({
  name: 'NHN conformance suite',
  output: process.env.ALLURE_OUTPUT ?? 'reports/allure-report',
  historyPath: process.env.ALLURE_HISTORY ?? 'reports/allure-history.jsonl',
  plugins: {
    awesome: { options: { singleFile: true, reportName: 'NHN conformance suite', groupBy: ['parentSuite', 'suite', 'subSuite'] } },
  },
});
