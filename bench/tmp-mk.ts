import { layeredCharts, writeStack } from './support.js';
const file = await writeStack('/tmp/p1', process.argv[2]!, layeredCharts(Number(process.argv[3]), Number(process.argv[4] ?? 1)), { repository: process.env.HELMCYCLE_CHART_REPO_URL!, version: '1.0.0' });
console.log(file);
