// Namespaces that many files of the app (main.cs and modules/) use; each file keeps its own usings for the others.
// The CDK's namespaces come from the generated bindings props (bindings/Cdk.props), not from here.
global using System.Text.Json;
global using System.Text.Json.Nodes;
global using FraudTf.Compute;
global using FraudTf.Config;
global using FraudTf.Security;
global using FraudTf.Stacks;
global using FraudTf.Storage;
global using FraudTf.Streaming;
