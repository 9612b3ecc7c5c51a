// Namespaces that many files of this project use; each file keeps its own usings for the others.
global using System.Globalization;
global using FraudTf.Functions.Shared.Scoring;
global using FraudTf.Local.Traffic;
