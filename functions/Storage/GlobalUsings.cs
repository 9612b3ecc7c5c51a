// Namespaces that many files of this project use; each file keeps its own usings for the others.
global using System.Globalization;
global using Amazon.DynamoDBv2.Model;
global using FraudTf.Functions.Shared.Tables;
