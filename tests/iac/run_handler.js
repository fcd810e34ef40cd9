// Runs a generated Node.js handler with sample events, its AWS calls stubbed.
//
// Usage: node run_handler.js CONFIG.json
// CONFIG: {"src": dir, "file": "index.js", "function": "handler",
//          "env": {NAME: value}, "events": [path, ...]}
//
// Each @aws-sdk/client-* package the handler requires is replaced by a stub
// (written to a temporary node_modules on NODE_PATH): its clients record
// every command, check the command's required parameters (as the service
// model names them) and answer with a canned response. Prints one JSON line
// per event: {"event", "response", "calls"}.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");

const STUB = `
"use strict";
const pkg = __PKG__;
const REQUIRED = {
  PutItemCommand: ["TableName", "Item"],
  GetItemCommand: ["TableName", "Key"],
  GetObjectCommand: ["Bucket", "Key"],
  PutObjectCommand: ["Bucket", "Key", "Body"],
  SendMessageCommand: ["QueueUrl", "MessageBody"],
  PublishCommand: ["TopicArn", "Message"],
  PutRecordCommand: pkg.endsWith("firehose") ? ["DeliveryStreamName", "Record"] : ["StreamName", "Data", "PartitionKey"],
  PutEventsCommand: ["Entries"],
  InvokeCommand: ["FunctionName"],
  ExecuteStatementCommand: ["resourceArn", "secretArn", "sql"],
};
const CANNED = {
  GetItemCommand: () => ({ Item: { pk: { S: "x" } } }),
  GetObjectCommand: () => ({ Body: { transformToByteArray: async () => new Uint8Array([104, 105]) } }),
  InvokeCommand: () => ({ StatusCode: 202 }),
  PutEventsCommand: () => ({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] }),
};
module.exports = new Proxy({}, {
  get(_, name) {
    if (typeof name !== "string") return undefined;
    if (name.endsWith("Command")) {
      return class { constructor(input) { this.input = input; this.commandName = name; } };
    }
    if (name.endsWith("Client")) {
      return class {
        async send(command) {
          const calls = globalThis.__archsimCalls;
          const name = command.commandName;
          if (!(name in REQUIRED)) throw new Error(pkg + ": unexpected command " + name);
          for (const field of REQUIRED[name]) {
            const v = command.input[field];
            if (v === undefined || v === null || v === "") throw new Error(pkg + " " + name + ": missing " + field);
          }
          calls.push(pkg.replace("@aws-sdk/client-", "") + "." + name);
          return CANNED[name] ? CANNED[name]() : {};
        }
      };
    }
    return undefined;
  },
});
`;

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const modules = fs.mkdtempSync(path.join(os.tmpdir(), "archsim-sdk-stub-"));
  for (const client of ["dynamodb", "s3", "sqs", "sns", "kinesis", "firehose", "eventbridge", "lambda", "rds-data"]) {
    const pkg = `@aws-sdk/client-${client}`;
    const dir = path.join(modules, pkg);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "index.js"), STUB.replace("__PKG__", JSON.stringify(pkg)));
  }
  process.env.NODE_PATH = modules;
  Module._initPaths();
  Object.assign(process.env, config.env);
  globalThis.__archsimCalls = [];
  const handlerModule = require(path.join(config.src, config.file));
  const handler = handlerModule[config.function];
  for (const eventPath of config.events) {
    globalThis.__archsimCalls.length = 0;
    const event = JSON.parse(fs.readFileSync(eventPath, "utf8"));
    const response = await handler(event, {});
    console.log(JSON.stringify({ event: eventPath, response, calls: [...globalThis.__archsimCalls] }));
  }
  fs.rmSync(modules, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
