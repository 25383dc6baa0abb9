'use strict';
// Writes COUNT request paths for `GET /?...` each signed with signature V1 and a fresh SignatureNonce, so that a
// load generator can replay them without tripping the service's replay protection.
// Usage: node sign-urls.js ACCESS_KEY_ID SECRET COUNT 'RegionId=cn-hangzhou&PageSize=10' > urls.txt
const crypto = require('node:crypto');

const [accessKeyId, secret, count, extra] = process.argv.slice(2);
const encode = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const fixed = { AccessKeyId: accessKeyId, Action: process.env.ACTION || 'DescribeImages', Format: 'JSON', SignatureMethod: 'HMAC-SHA1',
  SignatureVersion: '1.0', Timestamp: timestamp, Version: '2014-05-26', ...Object.fromEntries(new URLSearchParams(extra)) };
const out = [];
for (let i = 0; i < Number(count); i++) {
  const params = { ...fixed, SignatureNonce: crypto.randomUUID() };
  const canonical = Object.keys(params).sort().map((k) => `${encode(k)}=${encode(params[k])}`).join('&');
  const stringToSign = `GET&${encode('/')}&${encode(canonical)}`;
  const signature = crypto.createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  out.push(`/?${canonical}&Signature=${encode(signature)}`);
}
process.stdout.write(out.join('\n') + '\n');
