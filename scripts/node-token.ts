// `npx tsx scripts/node-token.ts`: a new node token and the hash its verifier keeps (decision 11).
import { hashNodeToken, newNodeToken } from '@tierscope/federation';

const token = newNodeToken();
process.stdout.write(
  `token (give to the presenting side):  ${token}\nhash  (give to the verifying side):   ${hashNodeToken(token)}\n`,
);
