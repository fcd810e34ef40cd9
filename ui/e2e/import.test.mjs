// End to end: an imported design shows where each inferred connection
// comes from, and asks the user to confirm the ones whose evidence is
// weak. Confirming clears the problem and keeps the evidence; undo brings
// the mark back; deleting removes the connection. A value read from a
// parameter says so. An SNS subscription's filter policy is read as
// evidence and edited in the inspector.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { archsimBin, documentWhen, ensureArtifacts, launch, openDesigner, startServe, tempDir } from "./harness.mjs";

// A function with a statement on every table that names one table in its
// environment (weak), and a statement on another (strong).
const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Memory:
    Type: Number
    Default: 1024
Resources:
  Named:
    Type: AWS::DynamoDB::Table
  Granted:
    Type: AWS::DynamoDB::Table
  GuessRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
      Policies:
        - PolicyName: tables
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: dynamodb:GetItem
                Resource: "*"
              - Effect: Allow
                Action: dynamodb:PutItem
                Resource: !GetAtt Granted.Arn
  Guess:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: index.handler
      Role: !GetAtt GuessRole.Arn
      MemorySize: !Ref Memory
      Code: {ZipFile: "def handler(e, c): return e"}
      Environment:
        Variables:
          TABLE: !Ref Named
  Orders:
    Type: AWS::SNS::Topic
  Inbox:
    Type: AWS::SQS::Queue
  InboxSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Orders
      Protocol: sqs
      Endpoint: !GetAtt Inbox.Arn
      FilterPolicy:
        event: [order_placed]
`;

const repo = join(import.meta.dirname, "../..");
let server;
let browser;
let page;
const problemsSeen = [];
const shots = ensureArtifacts();
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`) });
const weakProblems = () => page.locator('li.problem[data-code="INFERRED_CONNECTION_UNCONFIRMED"]');

before(async () => {
  const dir = tempDir("archsim-import-");
  const template = join(dir, "weak.yaml");
  writeFileSync(template, TEMPLATE);
  // Three stacks that import each other's exports, beside it.
  for (const f of ["network.yaml", "web.yaml", "worker.yaml"]) copyFileSync(join(repo, "tests/iac/templates/stacks", f), join(dir, f));
  const design = join(dir, "weak.archsim.json");
  execFileSync(archsimBin(), ["import", template, "--out", design]);
  server = await startServe(design, dir);
  browser = await launch();
  page = await openDesigner(browser, server.url, problemsSeen);
});

after(async () => {
  await browser?.close();
  server?.stop();
});

test("a connection inferred from weak evidence is drawn faint and listed for the user to confirm", async () => {
  await page.getByTestId("tab-problems").click();
  await weakProblems().first().waitFor();
  assert.equal(await weakProblems().count(), 1);
  assert.match(await weakProblems().first().innerText(), /Guess uses Named was inferred from .*dynamodb:GetItem.*named in its environment/);
  assert.equal(await page.locator(".react-flow__edge.inferred-weak").count(), 1, "only the weak connection is faint");
});

test("the inspector shows the evidence; Confirm keeps it and clears the problem; undo restores the mark", async () => {
  await weakProblems().first().locator("button").click();
  const evidence = page.locator(".inspector .evidence");
  await evidence.waitFor();
  assert.match(await evidence.innerText(), /Inferred from weak evidence[\s\S]*named in its environment/);
  await shot("import-01-weak-evidence");
  await evidence.getByRole("button", { name: "Confirm" }).click();
  await page.locator(".inspector .evidence:not(.weak)").waitFor();
  assert.match(await page.locator(".inspector .evidence").innerText(), /Drawn by import[\s\S]*named in its environment/);
  await weakProblems().first().waitFor({ state: "detached" });
  assert.equal(await page.locator(".react-flow__edge.inferred-weak").count(), 0);
  // The strong connection carries its evidence too.
  const doc = await documentWhen(page, server, (d) => d.connections.every((c) => !c.weak));
  const strong = doc.connections.find((c) => c.from === "Guess" && c.to === "Granted");
  assert.match(strong?.evidence ?? "", /dynamodb:PutItem/);
  await page.keyboard.press("Control+z");
  await weakProblems().first().waitFor();
  assert.equal(await page.locator(".react-flow__edge.inferred-weak").count(), 1);
});

test("Delete removes a weak connection", async () => {
  await weakProblems().first().locator("button").click();
  await page.locator(".inspector .evidence.weak").getByRole("button", { name: "Delete" }).click();
  const doc = await documentWhen(page, server, (d) => !d.connections.some((c) => c.from === "Guess" && c.to === "Named"));
  assert.ok(!doc.connections.some((c) => c.from === "Guess" && c.to === "Named"), "the weak connection is gone");
  assert.equal(await weakProblems().count(), 0);
  assert.deepEqual(problemsSeen, []);
});

test("a value read from a template parameter says so in the inspector", async () => {
  await page.locator('.react-flow__node[data-id="Guess"]').click();
  const note = page.getByTestId("from-parameters");
  await note.waitFor();
  assert.match(await note.innerText(), /Memory = 1024/);
  assert.equal(await page.locator("#field-memory_mb").inputValue(), "1024");
});

test("a connection's enum parameters are dropdowns of the model's values", async () => {
  const edge = page.locator('.react-flow__edge.meaning-uses:not(.inferred-weak)');
  await edge.first().locator(".react-flow__edge-interaction").click({ force: true });
  await page.locator(".inspector", { hasText: "Connection" }).waitFor();
  const access = page.locator("select#field-access");
  await access.waitFor();
  assert.deepEqual(await access.locator("option").allTextContents(), ["read", "write", "read_write"]);
  assert.equal(await access.inputValue(), "write");
  await shot("import-02-connection-form");
});

test("an SNS subscription's filter policy is its evidence and is edited in the inspector", async () => {
  await page.locator(".react-flow__controls-fitview").click();
  await page.waitForTimeout(600);
  const edge = page.locator(".react-flow__edge.meaning-publishes");
  await edge.first().locator(".react-flow__edge-interaction").click({ force: true });
  const evidence = page.locator(".inspector .evidence");
  await evidence.waitFor();
  assert.match(await evidence.innerText(), /InboxSubscription subscription, FilterPolicy on MessageAttributes \(event\)/);
  const policy = page.locator("textarea#field-filter_policy");
  await policy.waitFor();
  assert.deepEqual(JSON.parse(await policy.inputValue()), { event: ["order_placed"] });
  await policy.fill('{"event": ["order_placed", {"prefix": "refund_"}]}');
  await policy.blur();
  let doc = await documentWhen(page, server, (d) => d.connections.some((c) => c.filter_policy?.policy?.event?.length === 2));
  const sub = doc.connections.find((c) => c.from === "Orders" && c.to === "Inbox");
  assert.deepEqual(sub.filter_policy, { policy: { event: ["order_placed", { prefix: "refund_" }] }, scope: "MessageAttributes" });
  await page.locator("select#filter-policy-scope").selectOption("MessageBody");
  doc = await documentWhen(page, server, (d) => d.connections.some((c) => c.filter_policy?.scope === "MessageBody"));
  assert.ok(doc.connections.some((c) => c.from === "Orders" && c.filter_policy?.scope === "MessageBody"));
  await shot("import-03-filter-policy");
  // A policy AWS would refuse is the model's problem to name.
  await policy.fill('{"event": "order_placed"}');
  await policy.blur();
  await page.getByTestId("tab-problems").click();
  await page.locator('li.problem[data-code="SNS_FILTER_POLICY_INVALID"]').waitFor();
  await page.keyboard.press("Control+z");
  await page.locator('li.problem[data-code="SNS_FILTER_POLICY_INVALID"]').waitFor({ state: "detached" });
  assert.deepEqual(problemsSeen, []);
});

test("several stacks checked in the file dialog open as one design with a frame per stack, and export file by file", async () => {
  await page.getByTestId("import-template").click();
  // The edits above are unsaved: the app asks first.
  await page.getByRole("button", { name: "Discard changes" }).click();
  const picker = page.getByRole("dialog", { name: "Import SAM / CloudFormation template" });
  await picker.waitFor();
  for (const f of ["network.yaml", "web.yaml", "worker.yaml"]) await picker.getByLabel(`Import ${f}`).check();
  await page.getByTestId("picker-many").filter({ hasText: "3 files checked" }).waitFor();
  await shot("import-04-several-stacks-picked");
  await page.getByTestId("picker-ok").click();
  const report = page.getByTestId("import-report");
  await report.getByText(/Stacks \(\d+\)/).waitFor();
  const text = await report.innerText();
  assert.match(text, /network\.yaml: stack orders-network/);
  assert.match(text, /web\.yaml: Fn::ImportValue orders-network-ListenerArn -> network\.yaml output ListenerArn/);
  await page.getByRole("button", { name: "OK" }).click();
  for (const name of ["orders-network (network.yaml)", "web (web.yaml)", "worker (worker.yaml)"]) {
    await page.locator(".frame-title", { hasText: name }).first().waitFor();
  }
  // The web stack's service behind the network stack's load balancer.
  const doc = await documentWhen(page, server, (d) => d.connections.some((c) => c.from === "LoadBalancer" && c.to === "Service"));
  assert.ok(doc.components.some((c) => c.id === "WebTaskDefinition" && c.name === "Task Definition"));
  await page.locator(".react-flow__controls-fitview").click();
  await page.waitForTimeout(600);
  await shot("import-05-several-stacks-canvas");
  await page.getByTestId("export-template").click();
  const stacks = page.getByTestId("export-stack");
  await stacks.waitFor();
  assert.deepEqual(await stacks.locator("option").allTextContents(), ["network.yaml", "web.yaml", "worker.yaml"]);
  await stacks.selectOption({ label: "web.yaml" });
  await page.waitForFunction(() => document.querySelector('[data-testid="template-text"]')?.value.includes("TargetGroupArn"));
  assert.match(await page.getByTestId("template-text").inputValue(), /Fn::ImportValue/);
  await shot("import-06-several-stacks-export");
  assert.deepEqual(problemsSeen, []);
});
