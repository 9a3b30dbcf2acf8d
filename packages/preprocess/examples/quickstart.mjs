// Run after `pnpm build`: node examples/quickstart.mjs
import {
  parseCsv,
  Table,
  TabularPreprocessor,
  trainValidationTestSplit,
} from '@decoders/preprocess';

const csv = `duration,protocol_type,service,src_bytes,user_id,is_attack
0,tcp,http,181,u1,0
0,tcp,http,239,u2,0
2,udp,dns,NA,u3,0
0,tcp,ftp,1032,u4,1
0,icmp,ecr_i,1032,u5,1
1,tcp,http,235,u6,0
`;
const table = parseCsv(csv);
const labels = table.column('is_attack');

const split = trainValidationTestSplit({
  n: table.rowCount,
  testSize: 0.2,
  validationSize: 0.2,
  seed: 42,
});
const train = table.selectRows(split.train);

const logger = { info: (m) => console.log('info:', m), warn: (m) => console.log('warn:', m) };
const pre = new TabularPreprocessor({ target: 'is_attack', logger });
pre.fit(train);
const X = pre.transform(table);

console.log(pre.featureNamesOut);
console.log(`${X.rows} x ${X.cols}`, Array.from(X.data.subarray(0, X.cols)));
console.log('labels', labels);

// Saved state round-trips to identical output.
const again = TabularPreprocessor.fromJSON(JSON.stringify(pre.toJSON()));
console.log(
  'same after reload:',
  again.transform(table).data.every((v, i) => v === X.data[i]),
);

// Tables also come from row objects or columns.
const small = Table.fromRows([
  { bytes: 10, proto: 'tcp' },
  { bytes: 30, proto: 'udp' },
]);
console.log(new TabularPreprocessor().fitTransform(small));
