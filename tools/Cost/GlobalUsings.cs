// Namespaces that many files of this project use; each file keeps its own usings for the others.
global using System.Globalization;
global using System.Text.Json;
global using FraudTf.Config;
global using FraudTf.Stacks;
