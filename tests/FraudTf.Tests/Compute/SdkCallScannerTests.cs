using System.IO.Compression;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using FraudTf.Compute;
using FraudTf.Compute.Build;
using FraudTf.Security;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Compute;

/// <summary>
/// The IL scanner that derives a function's IAM actions from its assemblies: on small assemblies emitted here (one member
/// reference per SDK call, as the C# compiler writes them), and on the real function packages. The checks DotnetFunction
/// makes with it are in <see cref="DotnetFunctionTests"/>.
/// </summary>
public sealed class SdkCallScannerTests
{
    private static SdkCallReport ScanOf(params (string Namespace, string Type, string? Member)[] references) =>
        SdkCallScanner.Scan([("Fake", FakeAssembly(references))]);

    [Test]
    public void ClientMethods_MapToServicePrefixAndOperation()
    {
        var report = ScanOf(
            ("Amazon.DynamoDBv2", "IAmazonDynamoDB", "GetItemAsync"),
            ("Amazon.DynamoDBv2", "AmazonDynamoDBClient", "QueryAsync"),
            ("Amazon.SQS", "IAmazonSQS", "SendMessageAsync"),
            ("Amazon.KeyManagementService", "IAmazonKeyManagementService", "DecryptAsync"),
            ("Amazon.BedrockAgentRuntime", "IAmazonBedrockAgentRuntime", "RetrieveAsync"));

        Assert.That(report.Actions, Is.EqualTo(new[] { "bedrock:Retrieve", "dynamodb:GetItem", "dynamodb:Query", "kms:Decrypt", "sqs:SendMessage" }));
        Assert.That(report.Evidence["dynamodb:Query"].Single(), Is.EqualTo("Fake: Amazon.DynamoDBv2.AmazonDynamoDBClient::QueryAsync"));
        Assert.That(report.SignsRequestsItself, Is.False);
    }

    [Test]
    public void MappingExceptions_UseTheActionTheRequestIsAuthorizedWith()
    {
        var report = ScanOf(
            ("Amazon.S3", "IAmazonS3", "ListObjectsV2Async"),
            ("Amazon.S3", "IAmazonS3", "PutObjectAsync"),
            ("Amazon.S3", "IAmazonS3", "CopyObjectAsync"),
            ("Amazon.SQS", "IAmazonSQS", "SendMessageBatchAsync"),
            ("Amazon.DynamoDBv2", "IAmazonDynamoDB", "TransactGetItemsAsync"));

        Assert.That(report.Actions, Is.EqualTo(new[] { "dynamodb:GetItem", "s3:GetObject", "s3:ListBucket", "s3:PutObject", "sqs:SendMessage" }));
    }

    [Test]
    public void TransactWriteItems_IsExpandedToTheActionsOfTheItemKindsTheCodeBuilds()
    {
        var report = ScanOf(
            ("Amazon.DynamoDBv2", "IAmazonDynamoDB", "TransactWriteItemsAsync"),
            ("Amazon.DynamoDBv2.Model", "Put", ".ctor"),
            ("Amazon.DynamoDBv2.Model", "TransactWriteItem", "set_ConditionCheck"));

        Assert.That(report.Actions, Is.EqualTo(new[] { "dynamodb:ConditionCheckItem", "dynamodb:PutItem" }),
            "no dynamodb:TransactWriteItems action exists; no Update or Delete item is built, so neither action is needed");
    }

    [Test]
    public void NonCallMembers_AndTypesOutsideServiceClients_AreIgnored()
    {
        var report = ScanOf(
            ("Amazon.S3", "IAmazonS3", "Dispose"),
            ("Amazon.DynamoDBv2", "IAmazonDynamoDB", "get_Config"),
            ("Amazon.S3.Util", "AmazonS3Uri", "TryParseAsync"),
            ("Amazon.Runtime", "IAmazonService", "SomethingAsync"),
            ("System.IO", "StreamReader", "ReadToEndAsync"));

        Assert.That(report.Actions, Is.Empty);
    }

    [Test]
    public void Paginators_AreTheOperationTheyPage()
    {
        var report = ScanOf(("Amazon.DynamoDBv2.Model", "IDynamoDBv2PaginatorFactory", "Query"));

        Assert.That(report.Actions, Is.EqualTo(new[] { "dynamodb:Query" }));
    }

    [Test]
    public void ASigV4SignerOfTheSdk_MarksRequestsSignedByTheCodeItself()
    {
        var report = ScanOf(("Amazon.Runtime.Internal.Auth", "AWS4Signer", "ComputeSignature"));

        Assert.That(report.SignsRequestsItself, Is.True);
        Assert.That(report.Actions, Is.Empty);
    }

    [TestCase("Amazon.DynamoDBv2", "IAmazonDynamoDB", "ExecuteStatementAsync", "PartiQL")]
    [TestCase("Amazon.Foo", "IAmazonFoo", "BarAsync", "ServicePrefixes")]
    [TestCase("Amazon.DynamoDBv2.DataModel", "DynamoDBContext", ".ctor", "call the service client")]
    [TestCase("Amazon.S3.Transfer", "TransferUtility", "UploadAsync", "call the service client")]
    [TestCase("Amazon.DynamoDBv2", "IAmazonDynamoDB", "TransactWriteItemsAsync", "per-item actions are unknown")]
    public void CallsWhoseActionsTheCodeDoesNotShow_AreErrorsWithAFix(string ns, string type, string member, string expected)
    {
        var e = Assert.Throws<InvalidOperationException>(() => ScanOf((ns, type, member)));

        Assert.That(e!.Message, Does.Contain(expected).And.Contain("Fix:"));
    }

    [Test]
    public void EveryServicePrefix_AndEveryException_IsAnExplicitIamAction()
    {
        Assert.That(SdkCallScanner.ServicePrefixes.Values, Has.All.Match("^[a-z0-9-]+$"));
        Assert.That(SdkCallScanner.ActionExceptions.SelectMany(p => p.Value.Append(p.Key)), Has.All.Match("^[a-z0-9-]+:[A-Za-z0-9]+$"));
        Assert.That(SdkCallScanner.TransactWriteItemKinds.Values, Is.SubsetOf(Permissions.DynamoDbItemActions.Values), "every item kind is grantable with DataTable.Grant");
    }

    [Test]
    public void RealPackages_StreamProcessorCallsAreReadFromItsOwnAssembliesOnly()
    {
        var package = FunctionBuilder.Build(Repo.Root, "functions/StreamProcessor");

        var own = FunctionProjects.OwnAssemblies(Repo.Root, "functions/StreamProcessor");
        var report = SdkCallScanner.ScanZip(package.ZipPath, own);

        Assert.Multiple(() =>
        {
            Assert.That(own, Is.EqualTo(new[] { "FraudTf.Functions.Shared", "FraudTf.Functions.Storage", "FraudTf.Functions.StreamProcessor" }), "not the AWSSDK assemblies");
            // TransactionStore: GetItem (profile), BatchGetItem (ids, profiles), Query (velocity), and one TransactWriteItems
            // of Put, Put and Update items; Storage's PatternRows: Query (patterns); Quarantine: SendMessage, and PutObject.
            Assert.That(report.Actions, Is.EqualTo(new[] { "dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem", "s3:PutObject", "sqs:SendMessage" }));
            Assert.That(report.Evidence["dynamodb:PutItem"], Has.All.Contains("TransactWriteItemsAsync (Put item)"));
            Assert.That(report.Evidence.Values.SelectMany(v => v), Has.None.StartWith("FraudTf.Functions.Shared:"), "the contract assembly calls nothing");
            Assert.That(report.Evidence["dynamodb:Query"], Does.Contain("FraudTf.Functions.Storage: Amazon.DynamoDBv2.IAmazonDynamoDB::QueryAsync"),
                "calls in the shared Storage library count for the function that packages it");
            Assert.That(report.SignsRequestsItself, Is.False);
        });
    }

    [Test]
    public void RealPackages_KnowledgeBaseSetupSignsItsRequestsItself()
    {
        var package = FunctionBuilder.Build(Repo.Root, "functions/KnowledgeBaseSetup");

        var report = SdkCallScanner.ScanZip(package.ZipPath, FunctionProjects.OwnAssemblies(Repo.Root, "functions/KnowledgeBaseSetup"));

        Assert.That(report.SignsRequestsItself, Is.True, "SigV4.cs signs with AWSSDK.Core's AWS4Signer");
        Assert.That(report.Actions, Is.Empty, "no SDK client");
    }

    [Test]
    public void ScanPackage_RemembersTheReportOfAZip_AndRescansAChangedZip()
    {
        var dir = Directory.CreateTempSubdirectory("fraudtf-sdk-calls-").FullName;
        try
        {
            var zipPath = Path.Combine(dir, "Fake.zip");
            PackagedFunction Package((string, string, string?) call)
            {
                File.Delete(zipPath);
                using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
                {
                    using var entry = zip.CreateEntry("Fake.dll").Open();
                    entry.Write(FakeAssembly([call]));
                }

                var sha = SHA256.HashData(File.ReadAllBytes(zipPath));
                return new PackagedFunction
                {
                    ProjectPath = "functions/Fake", ZipPath = zipPath, Sha256 = Convert.ToHexStringLower(sha), SourceBase64Sha256 = Convert.ToBase64String(sha),
                    SizeBytes = new FileInfo(zipPath).Length, AssemblyName = "Fake", InputHash = new string('0', 64),
                };
            }

            var sqs = Package(("Amazon.SQS", "IAmazonSQS", "SendMessageAsync"));
            var first = SdkCallScanner.ScanPackage(sqs, ["Fake"]);
            var cacheFile = Path.Combine(dir, SdkCallScanner.ReportCacheFile);
            // The stored report is what a second run gets: altered in the file, the alteration comes back.
            File.WriteAllText(cacheFile, File.ReadAllText(cacheFile).Replace("sqs:SendMessage", "sqs:FromTheCache"));
            var second = SdkCallScanner.ScanPackage(sqs, ["Fake"]);
            var sns = Package(("Amazon.SimpleNotificationService", "IAmazonSimpleNotificationService", "PublishAsync"));
            var changed = SdkCallScanner.ScanPackage(sns, ["Fake"]);

            Assert.Multiple(() =>
            {
                Assert.That(first.Actions, Is.EqualTo(new[] { "sqs:SendMessage" }));
                Assert.That(second.Actions, Is.EqualTo(new[] { "sqs:FromTheCache" }), "the same zip is not scanned again");
                Assert.That(second.Evidence["sqs:FromTheCache"], Is.EqualTo(first.Evidence["sqs:SendMessage"]));
                Assert.That(changed.Actions, Is.EqualTo(new[] { "sns:Publish" }), "a changed zip (another SHA-256) is scanned again");
                Assert.That(File.ReadAllText(cacheFile), Does.Contain("sns:Publish").And.Not.Contain("sqs:"), "and its report replaces the stored one");
                Assert.That(() => SdkCallScanner.ScanPackage(sns, ["Fake", "Other"]), Throws.InvalidOperationException.With.Message.Contains("holds no Other.dll"),
                    "another assembly list is another key: the zip is scanned again");
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // A library whose metadata holds one type reference per entry, and a member reference when a member is given: what
    // the C# compiler emits for a call (the scanner reads only these tables, not method bodies).
    private static byte[] FakeAssembly((string Namespace, string Type, string? Member)[] references)
    {
        var md = new MetadataBuilder();
        md.AddModule(0, md.GetOrAddString("Fake.dll"), md.GetOrAddGuid(new Guid("6f0e4c6a-0000-4000-8000-000000000001")), default, default);
        md.AddAssembly(md.GetOrAddString("Fake"), new Version(1, 0, 0, 0), default, default, 0, AssemblyHashAlgorithm.None);
        var sdk = md.AddAssemblyReference(md.GetOrAddString("AWSSDK.Fake"), new Version(4, 0, 0, 0), default, default, 0, default);
        md.AddTypeDefinition(default, default, md.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var signature = new BlobBuilder();
        new BlobEncoder(signature).MethodSignature(isInstanceMethod: true).Parameters(0, r => r.Void(), _ => { });
        var sig = md.GetOrAddBlob(signature);
        var types = new Dictionary<(string, string), TypeReferenceHandle>();
        foreach (var (ns, type, member) in references)
        {
            if (!types.TryGetValue((ns, type), out var handle))
            {
                types[(ns, type)] = handle = md.AddTypeReference(sdk, md.GetOrAddString(ns), md.GetOrAddString(type));
            }

            if (member is not null)
            {
                md.AddMemberReference(handle, md.GetOrAddString(member), sig);
            }
        }

        var pe = new ManagedPEBuilder(PEHeaderBuilder.CreateLibraryHeader(), new MetadataRootBuilder(md), new BlobBuilder());
        var output = new BlobBuilder();
        pe.Serialize(output);
        return output.ToArray();
    }
}
