// Namespaces that many files of this project use; each file keeps its own usings for the others.
global using System.Text.Json;
global using System.Text.Json.Nodes;
global using Amazon.Runtime;
