// Namespaces that many files of this project use; each file keeps its own usings for the others.
global using System.Globalization;
global using System.Text;
global using System.Text.Json;
global using System.Text.Json.Nodes;
global using Amazon.DynamoDBv2;
global using FraudTf.Functions.Shared.Agent;
