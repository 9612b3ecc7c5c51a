using System.Collections.Immutable;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FraudTf.Compute.Build;

namespace FraudTf.Compute;

/// <summary>An AWS request a function signs and sends itself (no SDK client), declared with the IAM action it needs.</summary>
/// <param name="Action">The IAM action, e.g. <c>aoss:APIAccessAll</c>.</param>
/// <param name="Reason">Which code sends it and why the action is that one (its source, the Service Authorization Reference).</param>
public sealed record SignedRequest(string Action, string Reason);

/// <summary>What <see cref="SdkCallScanner"/> found in a function's own assemblies.</summary>
public sealed record SdkCallReport
{
    /// <summary>The IAM actions of the AWS SDK calls, sorted ordinally, without duplicates.</summary>
    public required IReadOnlyList<string> Actions { get; init; }

    /// <summary>For each action, the SDK members that need it (<c>Assembly: Type::Method</c>), sorted.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Evidence { get; init; }

    /// <summary>True when the code signs AWS requests itself (a SigV4 signer of AWSSDK.Core): their actions can't be read from the code.</summary>
    public required bool SignsRequestsItself { get; init; }

    /// <summary>The assemblies that were read.</summary>
    public required IReadOnlyList<string> Assemblies { get; init; }
}

/// <summary>
/// Reads a function's own compiled code (its project's assembly and the assemblies of the projects it references, never the
/// AWSSDK assemblies) with System.Reflection.Metadata and derives the IAM actions of the AWS SDK calls it makes: every
/// member reference to an <c>*Async</c> method of an SDK client (<c>Amazon.&lt;Service&gt;.IAmazon&lt;Service&gt;</c> or
/// <c>Amazon&lt;Service&gt;Client</c>) or of a paginator factory, mapped through <see cref="ServicePrefixes"/> and the
/// exceptions of <see cref="ActionExceptions"/>. Requests made of several operations are expanded to the actions of their
/// parts: each item kind of DynamoDB TransactWriteItems the code constructs (Put, Update, Delete, ConditionCheck).
/// Anything whose actions the code does not show (PartiQL statements, the SDK's high-level document and object APIs,
/// the S3 transfer utility, presigned URLs, a service missing from the table) is an error naming the fix.
/// <para>Limits: a reference proves the call can happen, not that it does (dead code counts); which resource a call
/// reaches is not visible (table names come from the environment), so grants stay per resource in the stack.</para>
/// </summary>
public static class SdkCallScanner
{
    /// <summary>
    /// IAM service prefix of each AWS SDK for .NET namespace (Service Authorization Reference, "Actions, resources, and
    /// condition keys for AWS services": the prefix in each service's page title).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ServicePrefixes = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["Amazon.BedrockAgent"] = "bedrock",
        ["Amazon.BedrockAgentRuntime"] = "bedrock",
        ["Amazon.BedrockRuntime"] = "bedrock",
        ["Amazon.CloudWatch"] = "cloudwatch",
        ["Amazon.CloudWatchEvents"] = "events",
        ["Amazon.CloudWatchLogs"] = "logs",
        ["Amazon.DynamoDBv2"] = "dynamodb",
        ["Amazon.EventBridge"] = "events",
        ["Amazon.KeyManagementService"] = "kms",
        ["Amazon.Kinesis"] = "kinesis",
        ["Amazon.Lambda"] = "lambda",
        ["Amazon.OpenSearchServerless"] = "aoss",
        ["Amazon.S3"] = "s3",
        ["Amazon.SecretsManager"] = "secretsmanager",
        ["Amazon.SecurityToken"] = "sts",
        ["Amazon.SimpleNotificationService"] = "sns",
        ["Amazon.SimpleSystemsManagement"] = "ssm",
        ["Amazon.SQS"] = "sqs",
        ["Amazon.StepFunctions"] = "states",
    };

    /// <summary>
    /// Operations whose IAM action is not <c>&lt;prefix&gt;:&lt;operation&gt;</c>, keyed <c>&lt;prefix&gt;:&lt;operation&gt;</c>
    /// (Service Authorization Reference, each service's "Actions" table, and the service guides quoted per entry).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ActionExceptions = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        // S3: listing is authorized on the bucket as s3:ListBucket / s3:ListBucketVersions; HeadObject as GetObject;
        // multipart upload parts as PutObject; DeleteObjects per key as DeleteObject; CopyObject reads the source and writes the target.
        ["s3:ListObjectsV2"] = ["s3:ListBucket"],
        ["s3:ListObjects"] = ["s3:ListBucket"],
        ["s3:ListVersions"] = ["s3:ListBucketVersions"],
        ["s3:ListObjectVersions"] = ["s3:ListBucketVersions"],
        ["s3:GetObjectMetadata"] = ["s3:GetObject"],
        ["s3:HeadBucket"] = ["s3:ListBucket"],
        ["s3:InitiateMultipartUpload"] = ["s3:PutObject"],
        ["s3:UploadPart"] = ["s3:PutObject"],
        ["s3:CompleteMultipartUpload"] = ["s3:PutObject"],
        ["s3:ListMultipartUploads"] = ["s3:ListBucketMultipartUploads"],
        ["s3:ListParts"] = ["s3:ListMultipartUploadParts"],
        ["s3:DeleteObjects"] = ["s3:DeleteObject"],
        ["s3:CopyObject"] = ["s3:GetObject", "s3:PutObject"],
        // SQS and SNS batch operations are authorized as their single-message action.
        ["sqs:SendMessageBatch"] = ["sqs:SendMessage"],
        ["sqs:DeleteMessageBatch"] = ["sqs:DeleteMessage"],
        ["sqs:ChangeMessageVisibilityBatch"] = ["sqs:ChangeMessageVisibility"],
        ["sns:PublishBatch"] = ["sns:Publish"],
        // DynamoDB TransactGetItems: each item is authorized as GetItem (developer guide, "Using IAM with DynamoDB transactions").
        ["dynamodb:TransactGetItems"] = ["dynamodb:GetItem"],
        // Bedrock Converse is authorized as InvokeModel, ConverseStream as InvokeModelWithResponseStream (Bedrock user guide, "Converse API").
        ["bedrock:Converse"] = ["bedrock:InvokeModel"],
        ["bedrock:ConverseStream"] = ["bedrock:InvokeModelWithResponseStream"],
    };

    /// <summary>
    /// The item kinds of DynamoDB TransactWriteItems (types of <c>Amazon.DynamoDBv2.Model</c>) and the action each item is
    /// authorized with (developer guide, "Using IAM with DynamoDB transactions").
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> TransactWriteItemKinds = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["ConditionCheck"] = "dynamodb:ConditionCheckItem",
        ["Delete"] = "dynamodb:DeleteItem",
        ["Put"] = "dynamodb:PutItem",
        ["Update"] = "dynamodb:UpdateItem",
    };

    // Operations whose action depends on data the code builds at run time: refused with the reason.
    private static readonly IReadOnlyDictionary<string, string> Underivable = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["dynamodb:ExecuteStatement"] = "a PartiQL statement is authorized as dynamodb:PartiQLSelect/Insert/Update/Delete depending on its text",
        ["dynamodb:BatchExecuteStatement"] = "a PartiQL statement is authorized as dynamodb:PartiQLSelect/Insert/Update/Delete depending on its text",
        ["dynamodb:ExecuteTransaction"] = "a PartiQL statement is authorized as dynamodb:PartiQLSelect/Insert/Update/Delete depending on its text",
        ["s3:GetPreSignedURL"] = "a presigned URL is used by someone else, with the signer's permission for the verb it was made for",
    };

    // SDK layers that call the client on the code's behalf: the operations they make are not visible in the code.
    private static readonly string[] HighLevelNamespaces =
    [
        "Amazon.DynamoDBv2.DataModel", "Amazon.DynamoDBv2.DocumentModel", "Amazon.S3.Transfer", "Amazon.S3.Encryption", "Amazon.SQS.ExtendedClient",
    ];

    /// <summary>
    /// Scans the assemblies <paramref name="assemblyNames"/> (file <c>&lt;name&gt;.dll</c> at the zip's root) of the function
    /// zip <paramref name="zipPath"/>. A missing assembly is an error.
    /// </summary>
    public static SdkCallReport ScanZip(string zipPath, IReadOnlyCollection<string> assemblyNames)
    {
        using var zip = ZipFile.OpenRead(zipPath);
        var images = new List<(string, byte[])>();
        foreach (var name in assemblyNames.Order(StringComparer.Ordinal))
        {
            var entry = zip.GetEntry($"{name}.dll")
                ?? throw new InvalidOperationException($"{zipPath} holds no {name}.dll. Fix: check the project's AssemblyName (the zip is the project's publish folder).");
            using var input = entry.Open();
            using var copy = new MemoryStream();
            input.CopyTo(copy);
            images.Add((name, copy.ToArray()));
        }

        return Scan(images);
    }

    /// <summary>The file, next to a function's zip, where <see cref="ScanPackage"/> keeps its report.</summary>
    public const string ReportCacheFile = "sdk-calls.json";

    /// <summary>
    /// <see cref="ScanZip"/> of <paramref name="package"/>'s zip, remembered in <see cref="ReportCacheFile"/> next to it under
    /// a key of the zip's SHA-256 (<see cref="PackagedFunction.Sha256"/>), the assembly names and this scanner's build (the
    /// module version id of its assembly: a changed scanner or action table rescans). A different key, a missing or
    /// unreadable file: the zip is scanned and the file written. A scan that finds an error is never remembered.
    /// </summary>
    public static SdkCallReport ScanPackage(PackagedFunction package, IReadOnlyCollection<string> assemblyNames)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', new[]
        {
            "fraudtf-sdk-calls/1", package.Sha256, typeof(SdkCallScanner).Assembly.ManifestModule.ModuleVersionId.ToString(),
        }.Concat(assemblyNames.Order(StringComparer.Ordinal))))));
        var cacheFile = Path.Combine(Path.GetDirectoryName(package.ZipPath)!, ReportCacheFile);
        try
        {
            var stored = JsonNode.Parse(File.ReadAllText(cacheFile));
            if (stored?["key"]?.GetValue<string>() == key && stored["report"].Deserialize<SdkCallReport>() is { } cached)
            {
                return cached;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            // Not remembered (or not readable): scanned below.
        }

        var report = ScanZip(package.ZipPath, assemblyNames);
        var temp = $"{cacheFile}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temp, new JsonObject { ["key"] = key, ["report"] = JsonSerializer.SerializeToNode(report) }.ToJsonString());
            File.Move(temp, cacheFile, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Only the next run's time is lost.
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }

        return report;
    }

    /// <summary>Scans assembly files (e.g. a publish folder's DLLs).</summary>
    public static SdkCallReport ScanFiles(IEnumerable<string> dllPaths) =>
        Scan(dllPaths.Order(StringComparer.Ordinal).Select(p => (Path.GetFileNameWithoutExtension(p), File.ReadAllBytes(p))));

    /// <summary>Scans assembly images given as (name, bytes).</summary>
    public static SdkCallReport Scan(IEnumerable<(string Name, byte[] Image)> assemblies)
    {
        var evidence = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var errors = new SortedSet<string>(StringComparer.Ordinal);
        var names = new List<string>();
        var signs = false;
        void Add(string action, string where)
        {
            if (!evidence.TryGetValue(action, out var set))
            {
                evidence[action] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.Add(where);
        }

        foreach (var (name, image) in assemblies)
        {
            names.Add(name);
            using var pe = new PEReader(ImmutableArray.Create(image));
            if (!pe.HasMetadata)
            {
                throw new BadImageFormatException($"{name}: not a .NET assembly (no metadata).");
            }

            var md = pe.GetMetadataReader();
            var transactWrite = new List<string>();
            var itemKinds = new SortedSet<string>(StringComparer.Ordinal);

            foreach (var handle in md.TypeReferences)
            {
                var (ns, type) = TypeName(md, handle);
                if (HighLevelNamespaces.Any(h => ns == h || ns.StartsWith(h + ".", StringComparison.Ordinal)))
                {
                    errors.Add($"{name} uses {ns}.{type}, an SDK layer whose AWS operations are not visible in the code. Fix: call the service client (IAmazon...) directly.");
                }

                // The SDK's signers: the internal ones and the public standalone API of AWSSDK.Core 4 (Amazon.Runtime.Signing).
                if (ns is "Amazon.Runtime.Internal.Auth" or "Amazon.Runtime.Signing" && (type.Contains("Signer", StringComparison.Ordinal) || type.Contains("SigningHandler", StringComparison.Ordinal)))
                {
                    signs = true;
                }
            }

            foreach (var handle in md.MemberReferences)
            {
                var member = md.GetMemberReference(handle);
                if (member.GetKind() != MemberReferenceKind.Method || member.Parent.Kind != HandleKind.TypeReference)
                {
                    continue;
                }

                var (ns, type) = TypeName(md, (TypeReferenceHandle)member.Parent);
                var method = md.GetString(member.Name);
                var where = $"{name}: {ns}.{type}::{method}";

                // Paginator factories (IAmazon<Service>.Paginators) live in the service's Model namespace.
                var isPaginatorFactory = type.EndsWith("PaginatorFactory", StringComparison.Ordinal) && ns.EndsWith(".Model", StringComparison.Ordinal);
                if (isPaginatorFactory)
                {
                    ns = ns[..^".Model".Length];
                }
                else if (ns == "Amazon.DynamoDBv2.Model")
                {
                    if (method == ".ctor" && TransactWriteItemKinds.ContainsKey(type))
                    {
                        itemKinds.Add(type);
                    }
                    else if (type == "TransactWriteItem" && method.StartsWith("set_", StringComparison.Ordinal) && TransactWriteItemKinds.ContainsKey(method[4..]))
                    {
                        itemKinds.Add(method[4..]);
                    }

                    continue;
                }

                if (!IsServiceNamespace(ns))
                {
                    continue;
                }

                var isClient = type.StartsWith("IAmazon", StringComparison.Ordinal) || (type.StartsWith("Amazon", StringComparison.Ordinal) && type.EndsWith("Client", StringComparison.Ordinal));
                string operation;
                if (isClient && method.EndsWith("Async", StringComparison.Ordinal) && method.Length > "Async".Length)
                {
                    operation = method[..^"Async".Length];
                }
                else if (isPaginatorFactory && method != ".ctor" && !method.StartsWith("get_", StringComparison.Ordinal))
                {
                    operation = method;
                }
                else
                {
                    continue;
                }

                if (!ServicePrefixes.TryGetValue(ns, out var prefix))
                {
                    errors.Add($"{where}: no IAM service prefix is known for namespace {ns}. Fix: add it to SdkCallScanner.ServicePrefixes (the prefix is in the service's page of the Service Authorization Reference).");
                    continue;
                }

                var key = $"{prefix}:{operation}";
                if (Underivable.TryGetValue(key, out var why))
                {
                    errors.Add($"{where}: its IAM action can't be read from the code ({why}). Fix: use an operation whose action is fixed (e.g. GetItem or PutItem rather than a PartiQL statement).");
                    continue;
                }

                if (key == "dynamodb:TransactWriteItems")
                {
                    transactWrite.Add(where);
                    continue;
                }

                foreach (var action in ActionExceptions.TryGetValue(key, out var mapped) ? mapped : [key])
                {
                    Add(action, where);
                }
            }

            if (transactWrite.Count > 0)
            {
                if (itemKinds.Count == 0)
                {
                    errors.Add($"{transactWrite[0]}: TransactWriteItems is called but {name} constructs no Put, Update, Delete or ConditionCheck item, so the per-item actions are unknown. Fix: build the items in the same assembly.");
                }

                foreach (var kind in itemKinds)
                {
                    foreach (var where in transactWrite)
                    {
                        Add(TransactWriteItemKinds[kind], $"{where} ({kind} item)");
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new InvalidOperationException("The AWS calls of the function's code can't all be derived:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        }

        return new SdkCallReport
        {
            Actions = evidence.Keys.ToList(),
            Evidence = evidence.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value.ToList(), StringComparer.Ordinal),
            SignsRequestsItself = signs,
            Assemblies = names,
        };
    }

    // Amazon.<Service> only: Amazon.Runtime and Amazon.Util are the SDK's core, not a service.
    private static bool IsServiceNamespace(string ns) =>
        ns.StartsWith("Amazon.", StringComparison.Ordinal) && ns.IndexOf('.', "Amazon.".Length) < 0 &&
        ns is not ("Amazon.Runtime" or "Amazon.Util");

    private static (string Namespace, string Name) TypeName(MetadataReader md, TypeReferenceHandle handle)
    {
        var t = md.GetTypeReference(handle);
        var name = md.GetString(t.Name);
        // A nested type's namespace is its enclosing type's.
        return t.ResolutionScope.Kind == HandleKind.TypeReference
            ? (TypeName(md, (TypeReferenceHandle)t.ResolutionScope).Namespace, name)
            : (md.GetString(t.Namespace), name);
    }
}
