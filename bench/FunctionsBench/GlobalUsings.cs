// The namespaces most of the benchmark's files use (the rest keep their own using lines;
// LegacyTransactionParser.cs keeps all of its own: tests/Functions.Tests compiles it too).
global using System.Diagnostics;
global using System.Globalization;
global using System.Net;
global using System.Text;
global using System.Text.Json;
global using Amazon.DynamoDBv2;
global using Amazon.DynamoDBv2.Model;
global using Amazon.Runtime;
global using Amazon.SQS;
global using FraudTf.Functions.Shared.Events;
global using FraudTf.Functions.Shared.Scoring;
global using FraudTf.Functions.Shared.Tables;
global using FraudTf.Functions.Shared.Transactions;
global using FraudTf.Functions.StreamProcessor;
