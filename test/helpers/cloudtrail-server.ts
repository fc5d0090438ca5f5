// A loopback CloudTrail for the access-history tests: one HTTP server on 127.0.0.1 that speaks the
// CloudTrail AWS JSON 1.1 protocol for LookupEvents only
// (X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents), so the real
// @aws-sdk/client-cloudtrail client (signing, serialization, retries, error parsing) runs unchanged.
//
// Why not moto: moto 5 implements CloudTrail trails (CreateTrail, DescribeTrails, ...) but not
// LookupEvents, and it does not record the KMS calls made to it as CloudTrail events. So this
// server holds the events a test gives it, shaped like real KMS CloudTrail records (CloudTrailEvent
// is the record as a JSON string, with requestParameters.encryptionContext), newest first as
// CloudTrail returns them, filtered by the EventSource attribute and StartTime/EndTime, and pages
// them with opaque NextToken values it checks (an unknown token is InvalidNextTokenException).
// Modes: `throttle` answers the next N requests with ThrottlingException (as CloudTrail does above
// 2 requests per second), `deny` answers AccessDeniedException with the message real IAM gives.
// It records every request's arrival time so a test can check the client's pacing.

import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

// The target as the CloudTrail API reference documents it, and as the JS SDK v3 sends it (the
// service shape's name without the namespace); CloudTrail accepts both.
const TARGETS: ReadonlySet<string> = new Set(['com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents', 'CloudTrail_20131101.LookupEvents']);
const MAX_BODY = 64 * 1024;

export interface KmsRecordInput {
  operation: 'Decrypt' | 'GenerateDataKey' | 'Encrypt' | 'ReEncrypt' | 'DescribeKey';
  time: Date;
  identity: string;
  sourceIp?: string;
  userAgent?: string;
  /** The encryption context of the call (for ReEncrypt: both source and destination). */
  context?: Record<string, string>;
  keyArn?: string;
}

interface StoredEvent {
  id: string;
  name: string;
  time: Date;
  source: string;
  username: string;
  record: string;
}

export interface CloudTrailServer {
  readonly endpoint: string;
  /** Arrival times (ms) of every LookupEvents request, throttled ones included. */
  readonly requests: number[];
  /** Add KMS events (any order: they are served newest first). */
  addKmsEvents(events: readonly KmsRecordInput[]): void;
  /** Add an event of another service (filtered out by EventSource). */
  addOtherEvent(source: string, name: string, time: Date): void;
  /** Answer the next `n` requests with ThrottlingException. */
  throttleNext(n: number): void;
  /** Answer every request with AccessDeniedException for `identity` (undefined: stop denying). */
  deny(identity: string | undefined): void;
  stop(): Promise<void>;
}

/** A real KMS CloudTrail record (the fields CloudTrail writes for a KMS data-key call). */
function kmsRecord(e: KmsRecordInput, id: string): string {
  const account = /::(\d{12}):/.exec(e.identity)?.[1] ?? '111122223333';
  const keyArn = e.keyArn ?? `arn:aws:kms:us-east-1:${account}:key/11111111-2222-3333-4444-555555555555`;
  const params: Record<string, unknown> = e.operation === 'ReEncrypt'
    ? { sourceEncryptionContext: e.context, destinationEncryptionContext: e.context, destinationKeyId: keyArn, sourceAAD: undefined }
    : e.operation === 'DescribeKey' ? { keyId: keyArn }
      : { keyId: keyArn, encryptionContext: e.context, ...(e.operation === 'GenerateDataKey' ? { keySpec: 'AES_256' } : { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }) };
  return JSON.stringify({
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: e.identity, accountId: account, accessKeyId: 'AKIAEXAMPLE', userName: e.identity.split('/').pop() },
    eventTime: e.time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: e.operation,
    awsRegion: 'us-east-1',
    sourceIPAddress: e.sourceIp ?? '203.0.113.7',
    userAgent: e.userAgent ?? 'aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#24.0.0 api/kms#3.700.0',
    requestParameters: params,
    responseElements: null,
    requestID: randomUUID(),
    eventID: id,
    readOnly: true,
    resources: [{ accountId: account, type: 'AWS::KMS::Key', ARN: keyArn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  });
}

export async function startCloudTrailServer(opts: { pageSize?: number } = {}): Promise<CloudTrailServer> {
  const pageSize = opts.pageSize ?? 50;
  const events: StoredEvent[] = [];
  const tokens = new Map<string, { offset: number; key: string }>();
  const requests: number[] = [];
  let throttle = 0;
  let denied: string | undefined;

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID(), 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, type: string, message: string): void => send(res, 400, { __type: type, message });

  const handle = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    if (req.method !== 'POST' || !TARGETS.has(String(req.headers['x-amz-target']))) return fail(res, 'UnknownOperationException', 'only LookupEvents is served here');
    requests.push(Date.now());
    if (denied) return fail(res, 'AccessDeniedException', `User: ${denied} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`);
    if (throttle > 0) {
      throttle--;
      return fail(res, 'ThrottlingException', 'Rate exceeded');
    }
    let input: { LookupAttributes?: { AttributeKey: string; AttributeValue: string }[]; StartTime?: number; EndTime?: number; MaxResults?: number; NextToken?: string };
    try {
      input = JSON.parse(body) as typeof input;
    } catch {
      return fail(res, 'SerializationException', 'body is not JSON');
    }
    const attrs = input.LookupAttributes ?? [];
    if (attrs.length > 1) return fail(res, 'InvalidLookupAttributesException', 'at most one lookup attribute');
    const source = attrs[0]?.AttributeKey === 'EventSource' ? attrs[0].AttributeValue : undefined;
    const start = input.StartTime !== undefined ? input.StartTime * 1000 : -Infinity;
    const end = input.EndTime !== undefined ? input.EndTime * 1000 : Infinity;
    const key = JSON.stringify([source, input.StartTime, input.EndTime]);
    let offset = 0;
    if (input.NextToken !== undefined) {
      const t = tokens.get(input.NextToken);
      // A token is bound to the query that made it, as CloudTrail's are.
      if (!t || t.key !== key) return fail(res, 'InvalidNextTokenException', 'invalid NextToken');
      tokens.delete(input.NextToken);
      offset = t.offset;
    }
    const max = Math.min(input.MaxResults ?? 50, 50, pageSize);
    const matching = events
      .filter((e) => (source === undefined || e.source === source) && e.time.getTime() >= start && e.time.getTime() <= end)
      .sort((a, b) => b.time.getTime() - a.time.getTime());
    const page = matching.slice(offset, offset + max);
    let next: string | undefined;
    if (offset + max < matching.length) {
      next = randomBytes(24).toString('base64');
      tokens.set(next, { offset: offset + max, key });
    }
    send(res, 200, {
      Events: page.map((e) => ({
        EventId: e.id, EventName: e.name, ReadOnly: 'true', EventTime: e.time.getTime() / 1000, EventSource: e.source, Username: e.username,
        Resources: [], CloudTrailEvent: e.record,
      })),
      ...(next ? { NextToken: next } : {}),
    });
  };

  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
      if (body.length > MAX_BODY) req.destroy();
    });
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    addKmsEvents(list) {
      for (const e of list) {
        const id = randomUUID();
        events.push({ id, name: e.operation, time: e.time, source: 'kms.amazonaws.com', username: e.identity.split('/').pop() ?? '', record: kmsRecord(e, id) });
      }
    },
    addOtherEvent(source, name, time) {
      const id = randomUUID();
      events.push({ id, name, time, source, username: 'someone', record: JSON.stringify({ eventSource: source, eventName: name, eventTime: time.toISOString(), eventID: id }) });
    },
    throttleNext(n) {
      throttle = n;
    },
    deny(identity) {
      denied = identity;
    },
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
