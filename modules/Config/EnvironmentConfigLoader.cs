using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Config;

/// <summary>
/// Loads and validates <c>environments/&lt;env&gt;.json</c> for every environment before any construct is created.
/// The folder is the list of environments: every <c>*.json</c> file in it is one, named after the file, and its
/// <c>tier</c> chooses the defaults of what it leaves out. Every problem (invalid environment name, unknown field,
/// malformed account id or region, missing value, number out of range, broken promotion order, ...) is reported at
/// once in a <see cref="ConfigValidationException"/> whose messages name the file, the field, the value received and
/// the fix.
/// </summary>
public static partial class EnvironmentConfigLoader
{
    /// <summary>The <c>tier</c> values of the files: the names of <see cref="EnvironmentTier"/> in lowercase, from development to production.</summary>
    public static readonly IReadOnlyList<string> TierNames = Enum.GetValues<EnvironmentTier>().Select(t => t.ToString().ToLowerInvariant()).ToList();

    private static readonly Regex TierPattern = new($"^({string.Join("|", TierNames)})$");

    /// <summary>
    /// What an environment's name (its file's name) may be. Every resource name carries it (<c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c>),
    /// so it is short and plain: at most the length of <c>staging</c>, the longest name whose resources were checked
    /// against AWS's name limits (GATE-LIMIT-001), and no hyphen, so <c>&lt;prefix&gt;-&lt;name&gt;-&lt;env&gt;</c> stays unambiguous.
    /// </summary>
    public const string EnvironmentNameRule = "2-7 lowercase letters or digits, starting with a letter";

    /// <summary>Retention periods CloudWatch Logs accepts, in days.</summary>
    public static readonly IReadOnlyList<int> LogRetentionDayValues =
        [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

    /// <summary>Tag keys FraudTf sets itself; a config may not override them.</summary>
    public static readonly IReadOnlyList<string> ReservedTagKeys = ["project", "environment", "managed-by", "cost-centre"];

    // Alike on purpose: one generated regex per validated kind of value, each a compiled pattern named for what it checks.
    [GeneratedRegex(@"^[a-z][a-z0-9]{1,6}$")]
    private static partial Regex EnvironmentName();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx)(-gov|-iso|-isob)?-(north|south|east|west|central|northeast|southeast|northwest|southwest)-\d{1,2}$")]
    private static partial Regex Region();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{1,22}[a-z0-9]$")]
    private static partial Regex NamePrefix();

    [GeneratedRegex(@"^(?!xn--)(?!.*\.\.)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{3,255}$")]
    private static partial Regex TableName();

    [GeneratedRegex(@"^alias/(?!aws/)[A-Za-z0-9/_-]{1,250}$")]
    private static partial Regex KmsAlias();

    [GeneratedRegex(@"^[0-9]{4}$")]
    private static partial Regex Mcc();

    [GeneratedRegex(@"^(GOVERNANCE|COMPLIANCE)$")]
    private static partial Regex LockMode();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$")]
    private static partial Regex TagValue();

    [GeneratedRegex(@"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$")]
    private static partial Regex TagKey();

    /// <summary>
    /// Loads every <c>*.json</c> file of <paramref name="directory"/>, one environment each, and returns them in
    /// promotion order (<see cref="InPromotionOrder"/>). <paramref name="displayDirectory"/> is how the folder is named in
    /// messages (e.g. <c>environments</c>), so no absolute path reaches an error or the output.
    /// </summary>
    public static IReadOnlyList<EnvironmentConfig> LoadAll(string directory, string displayDirectory = "environments")
    {
        var errors = new List<string>();
        if (!Directory.Exists(directory))
        {
            throw new ConfigValidationException([
                $"{displayDirectory}/: the environment config folder does not exist. Fix: run from the repository root, " +
                $"where {displayDirectory}/<env>.json (one file per environment) live."]);
        }

        var files = Directory.GetFiles(directory, "*.json").OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new ConfigValidationException([
                $"{displayDirectory}/: holds no environment file. Fix: add one <env>.json per environment, with at least its " +
                "tier, accountId, region, allowedAccountIds, costCentre, state and notifications."]);
        }

        var names = new List<string>();
        var configs = new List<EnvironmentConfig>();
        foreach (var path in files)
        {
            var env = Path.GetFileNameWithoutExtension(path);
            var display = $"{displayDirectory}/{Path.GetFileName(path)}";
            if (!EnvironmentName().IsMatch(env))
            {
                errors.Add($"{display}: '{env}' is not a valid environment name ({EnvironmentNameRule}): the file's name is the " +
                           "environment's, and every resource name carries it. Fix: rename the file, e.g. " +
                           $"{displayDirectory}/{Suggestion(env)}.json.");
                continue;
            }

            names.Add(env);
            var config = Parse(File.ReadAllText(path), env, display, errors);
            if (config is not null)
            {
                configs.Add(config);
            }
        }

        CheckAcrossEnvironments(configs, errors);
        CheckPromotion(configs, names, displayDirectory, errors);
        if (errors.Count > 0)
        {
            throw new ConfigValidationException(errors);
        }

        return InPromotionOrder(configs);
    }

    /// <summary>
    /// <paramref name="configs"/> in promotion order: an environment comes after the one promoting to it
    /// (<see cref="EnvironmentConfig.PromotesTo"/>); among the environments free to come next, the lower tier first, then
    /// the name in ordinal order. dev → staging → prod gives dev, staging, prod; a development-tier qa outside the chain
    /// comes after dev. Expects links the loader validated (no cycle).
    /// </summary>
    private static IReadOnlyList<EnvironmentConfig> InPromotionOrder(IEnumerable<EnvironmentConfig> configs)
    {
        var remaining = configs.ToList();
        var ordered = new List<EnvironmentConfig>();
        while (remaining.Count > 0)
        {
            var next = remaining
                .Where(c => !remaining.Any(from => from.PromotesTo == c.Environment))
                .OrderBy(c => c.Tier)
                .ThenBy(c => c.Environment, StringComparer.Ordinal)
                .First();
            ordered.Add(next);
            remaining.Remove(next);
        }

        return ordered;
    }

    /// <summary>The <c>tier</c> text of <paramref name="tier"/> as the files write it, e.g. <c>production</c>.</summary>
    public static string TierName(EnvironmentTier tier) => TierNames[(int)tier];

    /// <summary>
    /// Parses and validates one environment's JSON text; returns null and adds to <paramref name="errors"/> when invalid.
    /// </summary>
    public static EnvironmentConfig? Parse(string json, string environment, string displayFile, List<string> errors)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            errors.Add($"{displayFile}: not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): " +
                       $"{e.Message.Split(" LineNumber")[0]} Fix: correct the JSON syntax at that position.");
            return null;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{displayFile}: the top level must be a JSON object. Fix: wrap the settings in {{ ... }}.");
                return null;
            }

            var before = errors.Count;
            var r = ConfigReader.ForRoot(doc.RootElement, displayFile, errors);
            var tierText = r.RequiredString("tier", TierPattern, $"one of {string.Join(", ", TierNames)}",
                "set what the environment is for: \"production\" for customer traffic, \"preproduction\" for the rehearsal of a " +
                "production deploy (like staging), \"development\" otherwise (like dev); the tier chooses the defaults of every " +
                "setting the file leaves out");
            // An invalid or missing tier is an error already: development then only lets the rest of the file be checked.
            var tier = tierText.Length > 0 ? Enum.Parse<EnvironmentTier>(tierText, ignoreCase: true) : EnvironmentTier.Development;
            // Every default below that differs between environments depends on the tier, never on the environment's name.
            var production = tier == EnvironmentTier.Production;
            var promotesTo = r.OptionalString("promotesTo", EnvironmentName(), $"an environment name ({EnvironmentNameRule})",
                "name the environment this one's build is promoted to next (its file is environments/<name>.json), or omit it for the last environment", "");
            if (promotesTo == environment)
            {
                r.ErrorValue("promotesTo", promotesTo, "is the environment itself", "name the next environment, or omit promotesTo for the last environment");
            }

            var accountId = r.RequiredString("accountId", AccountId(), "a 12-digit AWS account id",
                "set it to the 12 digits of the AWS account this environment deploys to, as a string, e.g. \"123456789012\"");
            var region = r.RequiredString("region", Region(), "an AWS region name such as us-east-1",
                "use a region code like \"us-east-1\" or \"eu-west-1\" (not an availability zone, not a display name)");
            var allowed = r.RequiredStringList("allowedAccountIds", AccountId(), "a 12-digit AWS account id",
                "list the 12-digit account ids this environment may be applied to, including accountId");
            if (accountId.Length > 0 && allowed.Count > 0 && !allowed.Contains(accountId))
            {
                r.ErrorValue("allowedAccountIds", allowed,
                    $"does not contain accountId {accountId}", $"add \"{accountId}\" to allowedAccountIds");
            }

            var prefix = r.OptionalString("namePrefix", NamePrefix(),
                "3-24 lowercase letters, digits or hyphens, starting with a letter",
                "use a short lowercase prefix such as \"fraud-detection\"", "fraud-detection");
            var costCentre = r.RequiredString("costCentre", TagValue(), "a tag value (1-256 letters, digits, spaces or _.:/=+-@)",
                "set the cost centre the environment's spend is booked to, e.g. \"fraud-platform\"");
            var tags = r.OptionalStringMap("tags", "give tags as an object of string values, e.g. {\"owner\": \"team\"}");
            foreach (var (k, v) in tags)
            {
                if (ReservedTagKeys.Contains(k))
                {
                    r.ErrorValue($"tags.{k}", v, "is a reserved tag key set by FraudTf itself",
                        k == "cost-centre" ? "set costCentre instead" : $"remove tags.{k}");
                }
                else if (!TagKey().IsMatch(k))
                {
                    r.ErrorValue($"tags.{k}", v, "has an invalid tag key (1-128 characters of letters, digits, spaces or _.:/=+-@, not starting with aws:)",
                        "rename the tag key");
                }
                else if (!TagValue().IsMatch(v))
                {
                    r.ErrorValue($"tags.{k}", v, "is not a valid tag value (1-256 characters of letters, digits, spaces or _.:/=+-@)",
                        "change the tag value");
                }
            }

            var s = r.RequiredObject("state", "add a \"state\" object with at least \"bucket\"");
            var stateBucket = s.RequiredString("bucket", BucketName(), "a valid S3 bucket name (3-63 lowercase letters, digits, dots or hyphens)",
                $"name the state bucket, e.g. \"{prefix}-tfstate-{(accountId.Length > 0 ? accountId : "123456789012")}-{environment}\"");
            if (stateBucket.Length > 63 - "-access-logs".Length)
            {
                s.ErrorValue("bucket", stateBucket,
                    $"is longer than {63 - "-access-logs".Length} characters; its access-log bucket '<bucket>-access-logs' would exceed S3's 63",
                    "shorten the state bucket name");
            }

            var stateRegion = s.OptionalString("region", Region(), "an AWS region name such as us-east-1",
                "use the region code of the state bucket, or omit it to use the environment's region", region);
            var lockTable = s.OptionalString("lockTable", TableName(), "a DynamoDB table name (3-255 letters, digits, _ . -)",
                "name the lock table or omit it for the default", $"{prefix}-tflock-{environment}");
            var kmsAlias = s.OptionalString("kmsKeyAlias", KmsAlias(), "a KMS alias name starting with alias/ (not alias/aws/)",
                "name the state key's alias or omit it for the default", $"alias/{prefix}-tfstate-{environment}");
            s.RejectUnknownFields();

            var ret = r.OptionalObject("retention", "give retention periods as an object, e.g. {\"logRetentionDays\": 30}");
            var logDays = ret.OptionalIntOneOf("logRetentionDays", LogRetentionDayValues,
                "use a retention CloudWatch Logs supports, e.g. 30, 90 or 365", production ? 365 : 30);
            var auditDays = ret.OptionalInt("auditLogRetentionDays", 1, 36500,
                "give the audit-log retention in days (365 for one year)", 365);
            const string trailsStayInStandard =
                "decision trails stay in STANDARD until they expire: they are a few KB, which S3 does not transition by default (objects under 128 KB) and which would cost more in STANDARD_IA (128 KB minimum) or GLACIER (40 KB overhead each)";
            ret.Removed("decisionTrailInfrequentAccessDays", "is no longer a setting: " + trailsStayInStandard, "remove it; decisionTrailExpirationDays still sets when trails expire");
            ret.Removed("decisionTrailArchiveDays", "is no longer a setting: " + trailsStayInStandard, "remove it; decisionTrailExpirationDays still sets when trails expire");
            var trailExpire = ret.OptionalInt("decisionTrailExpirationDays", 1, 36500,
                "give the day decision trails expire (2555 for 7 years)", 2555);
            var modelNoncurrent = ret.OptionalInt("modelNoncurrentVersionExpirationDays", 1, 36500,
                "give the days a superseded model artifact is kept", 90);
            var accessLogDays = ret.OptionalInt("accessLogExpirationDays", 1, 36500,
                "give the days S3 server access logs are kept", production ? 365 : 90);
            var failedBatchDays = ret.OptionalInt("failedBatchExpirationDays", 7, 36500,
                "give the days discarded stream batches are kept for make redrive (at least 7; default 30)", 30);
            ret.RejectUnknownFields();

            var prot = r.OptionalObject("protection", "give protection settings as an object, e.g. {\"deletionProtection\": true}");
            var deletionProtection = prot.OptionalBool("deletionProtection",
                "use true to protect tables and data buckets from deletion (the production tier's default) or false", production);
            var lockMode = prot.OptionalString("auditLogLockMode", LockMode(), "GOVERNANCE or COMPLIANCE",
                "use COMPLIANCE (nobody can delete audit logs before retention ends) or GOVERNANCE (privileged users can)",
                production ? "COMPLIANCE" : "GOVERNANCE");
            prot.RejectUnknownFields();

            var fns = r.OptionalObject("functions", "give function settings as an object, e.g. {\"streamProcessor\": {\"memoryMb\": 512}}");
            var functions = ReadFunctions(fns, FunctionSizes.Where(f => f.Section == "functions"), production);
            // Any other field names a function by its folder (functions.caseExporter: functions/CaseExporter), sized from the
            // tier's standard defaults; the stack checks that the folder exists.
            foreach (var field in fns.FieldNames.Where(f => FunctionSizes.All(s => s.Section != "functions" || s.Field != f)))
            {
                if (FunctionSizes.FirstOrDefault(s => s.Folder == FolderOf(field)) is { } elsewhere)
                {
                    fns.ErrorValue(field, "{...}", $"functions/{elsewhere.Folder} is sized at {elsewhere.Section}.{elsewhere.Field}", $"move these settings to {elsewhere.Section}.{elsewhere.Field}");
                    continue;
                }

                functions[FolderOf(field)] = ReadFunction(fns, field, StandardSize(production));
            }
            var traffic = ReadTraffic(r, tier);

            var st = r.OptionalObject("streaming", "give streaming settings as an object, e.g. {\"batchSize\": 100}");
            var transactionsRetention = st.OptionalInt("transactionsRetentionHours", 24, 8760, "Kinesis keeps records 24 to 8760 hours", 48);
            var streaming = new StreamingConfig
            {
                TransactionsRetentionHours = transactionsRetention,
                EventsRetentionHours = st.OptionalInt("eventsRetentionHours", 24, 8760, "Kinesis keeps records 24 to 8760 hours", 24),
                BatchSize = st.OptionalInt("batchSize", 1, 10000, "Lambda reads 1 to 10000 Kinesis records per batch", 100),
                BatchingWindowSeconds = st.OptionalInt("batchingWindowSeconds", 0, 300, "use 0 to 300 seconds", 1),
                ParallelizationFactor = st.OptionalInt("parallelizationFactor", 1, 10, "Lambda runs 1 to 10 batches per shard at once", production ? 4 : 2),
                MaximumRetryAttempts = st.OptionalInt("maximumRetryAttempts", -1, 10000,
                    "use -1 (retry a failing batch until its records reach maximumRecordAgeSeconds: the default, since the stream processor " +
                    "throws only for transient errors) or 0 to 10000 retries", -1),
                MaximumRecordAgeSeconds = ReadRecordAge(st, transactionsRetention),
            };
            st.RejectUnknownFields();

            var scoring = ReadScoring(r.OptionalObject("scoring", "give scoring settings as an object, e.g. {\"reviewThreshold\": 0.5}"), production);

            var mo = r.OptionalObject("monitoring", "give alarm thresholds as an object, e.g. {\"iteratorAgeMilliseconds\": 60000}");
            var monitoring = new MonitoringConfig
            {
                FunctionErrors = mo.OptionalInt("functionErrors", 1, 100000, "use a whole number of errors per minute, at least 1", 1),
                FunctionP99DurationOfTimeout = mo.OptionalDouble("functionP99DurationOfTimeout", 0.1, 1, "use a fraction of the timeout from 0.1 to 1", 0.8),
                FunctionThrottles = mo.OptionalInt("functionThrottles", 1, 100000, "use a whole number of throttles per minute, at least 1", 1),
                IteratorAgeMilliseconds = mo.OptionalInt("iteratorAgeMilliseconds", 1000, 86_400_000, "use 1000 ms to 1 day", production ? 30_000 : 60_000),
                Throttles = mo.OptionalInt("throttles", 1, 100000, "use a whole number per minute, at least 1", 1),
                DeadLetters = mo.OptionalInt("deadLetters", 1, 100000, "use a whole number of messages, at least 1", 1),
                FraudSpikePer5Minutes = mo.OptionalInt("fraudSpikePer5Minutes", 1, 10_000_000, "use a whole number of decisions per 5 minutes", production ? 500 : 50),
                ProcessingLatencyP99Milliseconds = mo.OptionalInt("processingLatencyP99Milliseconds", 10, 900_000, "use 10 ms to 900000 ms", 2000),
                RejectedRecordsPer5Minutes = mo.OptionalInt("rejectedRecordsPer5Minutes", 1, 10_000_000, "use a whole number of records per 5 minutes", production ? 100 : 10),
            };
            // Lambda Developer Guide, "Visualize Lambda function invocations using AWS X-Ray": "The sampling rate is 1 request
            // per second and 5 percent of additional requests. You can't configure the X-Ray sampling rate for your functions."
            mo.Removed("xraySamplingRate", "is no longer a setting: Lambda's active tracing samples at a fixed rate (1 request per second " +
                "and 5% of additional requests) that cannot be configured, and a sampling rule does not change it, so the rule " +
                "fraud-detection-xray-<env> was removed",
                "delete monitoring.xraySamplingRate (see the Lambda Developer Guide, \"Visualize Lambda function invocations using AWS X-Ray\")");
            mo.RejectUnknownFields();

            var notifications = ReadNotifications(r, prefix, environment, accountId, region);

            var agent = ReadAgent(r, region, production, functions);
            var writers = ReadWriters(r, accountId);
            var network = ReadNetwork(r, errors);

            r.RejectUnknownFields();
            if (errors.Count > before)
            {
                return null;
            }

            return new EnvironmentConfig
            {
                Environment = environment,
                Tier = tier,
                PromotesTo = promotesTo.Length > 0 ? promotesTo : null,
                SourceFile = displayFile,
                AccountId = accountId,
                Region = region,
                AllowedAccountIds = allowed,
                NamePrefix = prefix,
                CostCentre = costCentre,
                Tags = tags,
                State = new StateConfig
                {
                    Bucket = stateBucket,
                    Region = stateRegion,
                    LockTable = lockTable,
                    KmsKeyAlias = kmsAlias,
                    Key = $"{prefix}/{environment}/terraform.tfstate",
                },
                Retention = new RetentionConfig
                {
                    LogRetentionDays = logDays,
                    AuditLogRetentionDays = auditDays,
                    DecisionTrailExpirationDays = trailExpire,
                    ModelNoncurrentVersionExpirationDays = modelNoncurrent,
                    AccessLogExpirationDays = accessLogDays,
                    FailedBatchExpirationDays = failedBatchDays,
                },
                Protection = new ProtectionConfig { DeletionProtection = deletionProtection, AuditLogLockMode = lockMode },
                Functions = new FunctionsConfig { ByFolder = functions, Standard = Settings(StandardSize(production)) },
                Traffic = traffic,
                Streaming = streaming,
                Scoring = scoring,
                Monitoring = monitoring,
                Notifications = notifications,
                Agent = agent,
                Writers = writers,
                Network = network,
            };
        }
    }

    [GeneratedRegex(@"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex VpcId();

    [GeneratedRegex(@"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex SubnetId();

    [GeneratedRegex(@"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$")]
    private static partial Regex Ipv4Cidr();

    /// <summary>The smallest and largest prefix of a created VPC: /16 (AWS's largest VPC) to /24 (16 subnets of /28).</summary>
    public const int MinimumVpcPrefix = 16, MaximumVpcPrefix = 24;

    /// <summary>
    /// <c>network</c>: absent (the default) for no private networking; <c>cidr</c> (with <c>availabilityZones</c> and
    /// <c>natGateway</c>) for a VPC the stack creates, or <c>vpcId</c> with <c>subnetIds</c> for an existing one. Every field
    /// is read even when the block is absent, so the configuration reference lists them; the shapes are checked only when
    /// it is present.
    /// </summary>
    private static NetworkConfig? ReadNetwork(ConfigReader root, List<string> errors)
    {
        var present = root.Has("network");
        var n = root.OptionalObject("network",
            "give private networking as an object: {\"cidr\": \"10.20.0.0/16\"} to create a VPC, or {\"vpcId\": \"vpc-...\", \"subnetIds\": [\"subnet-...\", \"subnet-...\"]} to use an existing one; omit it for none");
        var cidr = n.OptionalString("cidr", Ipv4Cidr(), $"an IPv4 CIDR block of /{MinimumVpcPrefix} to /{MaximumVpcPrefix}, e.g. 10.20.0.0/16",
            "give the address range of the VPC to create, e.g. \"10.20.0.0/16\" (a private range that overlaps no network it must be connected to)", "");
        var zones = n.OptionalInt("availabilityZones", 2, 6,
            "use 2 to 6 availability zones: each gets a private subnet, a network interface of every interface endpoint and, with natGateway, a NAT gateway", 2);
        var nat = n.OptionalBool("natGateway",
            "use false (the default: no internet path, the functions reach AWS through VPC endpoints only) or true for a NAT gateway per zone", false);
        var vpcId = n.OptionalString("vpcId", VpcId(), "a VPC id: vpc- followed by 8 or 17 hexadecimal digits",
            "copy the id of the existing VPC, e.g. \"vpc-0a1b2c3d4e5f67890\" (aws ec2 describe-vpcs)", "");
        var beforeSubnets = errors.Count;
        var subnets = n.OptionalStringList("subnetIds", SubnetId(), "a subnet id: subnet- followed by 8 or 17 hexadecimal digits",
            "list at least two private subnets of the VPC, in different availability zones, e.g. [\"subnet-0a1b2c3d4e5f67890\", \"subnet-1a2b3c4d5e6f78901\"]");
        n.RejectUnknownFields();
        if (!present)
        {
            return null;
        }

        var creates = n.Has("cidr");
        var uses = n.Has("vpcId");
        if (creates && uses)
        {
            n.ErrorValue("vpcId", vpcId, "is given together with network.cidr: cidr creates a VPC, vpcId uses an existing one",
                "keep network.cidr (and availabilityZones, natGateway) to create a VPC, or network.vpcId with network.subnetIds to use an existing one, not both");
            return null;
        }

        if (!creates && !uses)
        {
            n.Error("cidr", null, "the network block needs one of its two shapes",
                "give network.cidr (e.g. \"10.20.0.0/16\") to create a VPC, or network.vpcId with network.subnetIds to use an existing one; or remove the network block");
            return null;
        }

        if (creates)
        {
            if (n.Has("subnetIds"))
            {
                n.ErrorValue("subnetIds", subnets ?? [], "is for an existing VPC (network.vpcId), but network.cidr creates one",
                    "remove network.subnetIds: the created VPC's subnets are derived from cidr and availabilityZones");
            }

            if (cidr.Length > 0 && CidrProblem(cidr) is { } problem)
            {
                n.ErrorValue("cidr", cidr, problem, "give a network address with a prefix of /16 to /24, e.g. \"10.20.0.0/16\" or \"172.31.64.0/20\"");
            }

            return new NetworkConfig { Cidr = cidr, AvailabilityZones = zones, NatGateway = nat };
        }

        if (n.Has("availabilityZones"))
        {
            n.ErrorValue("availabilityZones", zones, "is for a VPC the stack creates (network.cidr), but network.vpcId uses an existing one",
                "remove network.availabilityZones: the zones are those of network.subnetIds");
        }

        if (n.Has("natGateway"))
        {
            n.ErrorValue("natGateway", nat, "is for a VPC the stack creates (network.cidr): an existing VPC's routes belong to its owner",
                "remove network.natGateway; the functions reach AWS through the VPC endpoints this stack creates in the subnets");
        }

        if (subnets is null)
        {
            n.Error("subnetIds", null, "an existing VPC (network.vpcId) needs the subnets the functions and endpoints use",
                "list at least two private subnets of the VPC, in different availability zones, e.g. [\"subnet-0a1b2c3d4e5f67890\", \"subnet-1a2b3c4d5e6f78901\"]");
            return null;
        }

        if (errors.Count > beforeSubnets)
        {
            return null; // an id of the wrong shape is reported already; counting the rest would only repeat it
        }

        var duplicates = subnets.GroupBy(s => s, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (duplicates.Count > 0)
        {
            n.ErrorValue("subnetIds", subnets, $"lists {string.Join(", ", duplicates)} more than once",
                "list each subnet once (at least two distinct subnets, in different availability zones)");
        }
        else if (subnets.Count < 2)
        {
            n.ErrorValue("subnetIds", subnets, $"lists {subnets.Count} subnet{(subnets.Count == 1 ? "" : "s")}: a function and its endpoints then depend on one availability zone",
                "list at least two private subnets of the VPC, in different availability zones");
        }

        return new NetworkConfig { VpcId = vpcId, SubnetIds = subnets };
    }

    /// <summary>Why <paramref name="cidr"/> (shaped <c>a.b.c.d/p</c>) is no network address of /16 to /24, or null when it is.</summary>
    public static string? CidrProblem(string cidr)
    {
        var m = Ipv4Cidr().Match(cidr);
        if (!m.Success)
        {
            return $"must be an IPv4 CIDR block of /{MinimumVpcPrefix} to /{MaximumVpcPrefix}";
        }

        var octets = Enumerable.Range(1, 4).Select(i => int.Parse(m.Groups[i].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var prefix = int.Parse(m.Groups[5].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (octets.Any(o => o > 255))
        {
            return "has an octet above 255";
        }

        if (prefix is < MinimumVpcPrefix or > MaximumVpcPrefix)
        {
            return $"has prefix /{prefix}: AWS VPCs are /16 to /28, and FraudTf splits the VPC into 16 subnets (/{MinimumVpcPrefix} to /{MaximumVpcPrefix} leaves each at least 16 addresses)";
        }

        var address = (uint)(octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]);
        var hostMask = prefix == 32 ? 0u : uint.MaxValue >> prefix;
        return (address & hostMask) != 0 ? $"has host bits set: the network address of a /{prefix} is {Format(address & ~hostMask)}/{prefix}" : null;

        static string Format(uint a) => $"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}";
    }

    private static readonly Regex AnyText = new(@"^[\s\S]*$");
    private static readonly Regex SubscriptionName = new(@"^[a-z][a-z0-9-]{0,38}[a-z0-9]$");

    // An address SNS can mail: local part of RFC 5322 atom characters and dots, a domain of DNS labels with a dot.
    private static readonly Regex EmailAddress = new(
        @"^(?=.{3,254}$)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");

    private static readonly Regex Arn = new(@"^arn:(?<partition>[^:]*):(?<service>[^:]*):(?<region>[^:]*):(?<account>[^:]*):(?<resource>.*)$");
    private static readonly Regex QueueName = new(@"^[A-Za-z0-9_-]{1,80}(\.fifo)?$");
    private static readonly Regex FunctionResource = new(@"^function:[A-Za-z0-9_-]{1,64}(:(\$LATEST|[A-Za-z0-9_-]{1,128}))?$");

    /// <summary>Shortest accepted reason for leaving a topic without subscribers (the gate's exception minimum).</summary>
    public const int MinimumUnsubscribedReasonLength = 20;

    private static NotificationsConfig ReadNotifications(ConfigReader root, string prefix, string environment, string accountId, string region)
    {
        var n = root.RequiredObject("notifications",
            "add a \"notifications\" object naming who receives alarms and fraud alerts, e.g. {\"alarms\": [{\"name\": \"oncall\", " +
            "\"protocol\": \"email\", \"endpoint\": \"oncall@example.com\"}], \"alerts\": [...]}");
        var result = new NotificationsConfig
        {
            Alarms = ReadTopicNotifications(n, "alarms", $"{prefix}-alarms-{environment}", "every alarm", accountId, region),
            Alerts = ReadTopicNotifications(n, "alerts", $"{prefix}-alerts-{environment}", "every fraud alert", accountId, region),
        };
        n.RejectUnknownFields();
        return result;
    }

    private static TopicNotifications ReadTopicNotifications(ConfigReader n, string field, string topicName, string what,
        string accountId, string region)
    {
        var reasonField = $"{field}UnsubscribedReason";
        var example = $"{{\"name\": \"oncall\", \"protocol\": \"email\", \"endpoint\": \"fraud-oncall@example.com\"}}";
        var items = n.OptionalObjectList(field,
            $"list the subscribers of {topicName} as objects, e.g. [{example}]");
        var subscriptions = new List<TopicSubscription>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var endpoints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items ?? [])
        {
            var name = item.RequiredString("name", SubscriptionName, "2-40 lowercase letters, digits or hyphens, starting with a letter",
                "name the subscription, e.g. \"oncall\" or \"case-intake\"; the name keys its Terraform resource, so keep it when the " +
                "endpoint changes and use the same names in every environment");
            var protocol = item.RequiredString("protocol", AnyText, "one of email, https, sqs, lambda",
                "use one of email, https, sqs, lambda");
            var endpoint = item.RequiredString("endpoint", AnyText, "an e-mail address, https URL, SQS queue ARN or Lambda function ARN",
                "give the e-mail address, https:// URL, queue ARN or function ARN to deliver to");
            item.RejectUnknownFields();

            if (name.Length > 0 && !names.Add(name))
            {
                item.ErrorValue("name", name, $"is used twice among the subscriptions of {topicName}",
                    "give each subscription of a topic its own name");
                name = "";
            }

            var protocolOk = protocol.Length > 0 && CheckProtocol(item, protocol);
            var endpointOk = protocolOk && CheckEndpoint(item, protocol, endpoint, accountId, region);
            if (endpointOk && !endpoints.Add(endpoint))
            {
                item.ErrorValue("endpoint", endpoint, $"is subscribed twice to {topicName} (SNS would keep one subscription, " +
                    "so the second resource would fight the first)", "remove the duplicate subscription");
                endpointOk = false;
            }

            if (name.Length > 0 && endpointOk)
            {
                subscriptions.Add(new TopicSubscription(name, protocol, endpoint));
            }
        }

        var reason = n.OptionalString(reasonField, AnyText, "a sentence", "say in a sentence why nobody needs these messages", "");
        if (reason.Length > 0 && (items?.Count ?? 0) > 0)
        {
            n.ErrorValue(reasonField, reason, $"is set although notifications.{field} has {items!.Count} subscription(s)",
                $"remove notifications.{reasonField} (the topic is subscribed) or remove the subscriptions");
        }
        else if (reason.Length > 0 && reason.Trim().Length < MinimumUnsubscribedReasonLength)
        {
            n.ErrorValue(reasonField, reason, $"is too short to explain anything (at least {MinimumUnsubscribedReasonLength} characters)",
                $"say who watches {topicName}'s messages instead, or why nobody needs them, in at least {MinimumUnsubscribedReasonLength} characters");
        }
        else if (reason.Length == 0 && (items?.Count ?? 0) == 0)
        {
            var problem = $"{topicName} has no subscription: {what} would reach nobody";
            var fix = $"subscribe someone, e.g. \"{field}\": [{example}], or set notifications.{reasonField} to say why the topic " +
                      $"has no subscriber (at least {MinimumUnsubscribedReasonLength} characters)";
            if (items is null)
            {
                n.Error(field, null, problem, fix);
            }
            else
            {
                n.ErrorValue(field, Array.Empty<object>(), problem, fix);
            }
        }

        return new TopicNotifications { Subscriptions = subscriptions, UnsubscribedReason = reason.Length > 0 ? reason : null };
    }

    private static bool CheckProtocol(ConfigReader item, string protocol)
    {
        if (TopicSubscription.Protocols.Contains(protocol))
        {
            return true;
        }

        if (protocol == "http")
        {
            item.ErrorValue("protocol", protocol, "is not allowed: http delivers alarms and fraud alerts unencrypted over the network",
                "use \"https\" with an https:// endpoint");
        }
        else
        {
            item.ErrorValue("protocol", protocol, $"is not a supported protocol (FraudTf subscribes {string.Join(", ", TopicSubscription.Protocols)})",
                protocol.StartsWith("email", StringComparison.Ordinal) ? "use \"email\"" :
                $"use one of {string.Join(", ", TopicSubscription.Protocols)}");
        }

        return false;
    }

    private static bool CheckEndpoint(ConfigReader item, string protocol, string endpoint, string accountId, string region)
    {
        switch (protocol)
        {
            case "email":
                if (!EmailAddress.IsMatch(endpoint))
                {
                    item.ErrorValue("endpoint", endpoint, "is not an e-mail address",
                        "give one address such as \"fraud-oncall@example.com\" (no display name, no mailto:)");
                    return false;
                }

                return true;
            case "https":
                return CheckHttpsUrl(item, endpoint);
            case "sqs":
                return CheckArn(item, endpoint, "sqs", "an SQS queue", "arn:aws:sqs:us-east-1:111111111111:case-intake", accountId, region,
                    resource =>
                    {
                        if (!QueueName.IsMatch(resource))
                        {
                            return ("does not end in a queue name (1-80 letters, digits, - or _)", "copy the QueueArn of 'aws sqs get-queue-attributes --attribute-names QueueArn'");
                        }

                        // A standard topic delivers to standard queues only; FIFO queues subscribe to FIFO topics.
                        return resource.EndsWith(".fifo", StringComparison.Ordinal)
                            ? ("is a FIFO queue: a standard SNS topic cannot deliver to a FIFO queue", "subscribe a standard queue")
                            : null;
                    }, sameRegion: false);
            default:
                return CheckArn(item, endpoint, "lambda", "a Lambda function", "arn:aws:lambda:us-east-1:111111111111:function:case-intake", accountId, region,
                    resource => FunctionResource.IsMatch(resource) ? null :
                        ("does not name a function (function:<name> or function:<name>:<alias or version>)", "copy the FunctionArn of 'aws lambda get-function --function-name <name>'"),
                    sameRegion: true);
        }
    }

    private static bool CheckHttpsUrl(ConfigReader item, string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            item.ErrorValue("endpoint", endpoint, "is not an https URL", "give the full URL, e.g. \"https://alerts.example.com/sns\"");
            return false;
        }

        if (uri.Scheme == Uri.UriSchemeHttp)
        {
            item.ErrorValue("endpoint", endpoint, "is an http:// URL: SNS would deliver alarms and fraud alerts unencrypted",
                "use the endpoint's https:// URL");
            return false;
        }

        if (uri.UserInfo.Length > 0)
        {
            item.ErrorValue("endpoint", endpoint, "embeds credentials (user:password@): they would be stored in git, cdktf.out and the Terraform state",
                "remove them; have the endpoint verify the SNS message signature instead");
            return false;
        }

        if (uri.HostNameType != UriHostNameType.Dns || !uri.Host.Contains('.'))
        {
            item.ErrorValue("endpoint", endpoint, $"has host '{uri.Host}', not a public DNS name SNS can reach",
                "use the endpoint's fully qualified DNS name, e.g. https://alerts.example.com/sns");
            return false;
        }

        return true;
    }

    private static bool CheckArn(ConfigReader item, string endpoint, string service, string what, string example, string accountId, string region,
        Func<string, (string Problem, string Fix)?> checkResource, bool sameRegion)
    {
        var m = Arn.Match(endpoint);
        if (!m.Success)
        {
            item.ErrorValue("endpoint", endpoint, $"is not an ARN of {what}", $"give its ARN, e.g. \"{example}\"");
            return false;
        }

        var (arnPartition, arnService, arnRegion, arnAccount, resource) =
            (m.Groups["partition"].Value, m.Groups["service"].Value, m.Groups["region"].Value, m.Groups["account"].Value, m.Groups["resource"].Value);
        if (arnService != service)
        {
            var other = arnService switch { "sqs" => "sqs", "lambda" => "lambda", _ => null };
            item.ErrorValue("endpoint", endpoint, $"is an ARN of service '{arnService}', not of {what}",
                other is not null ? $"use protocol \"{other}\" for it, or give the ARN of {what}, e.g. \"{example}\"" : $"give the ARN of {what}, e.g. \"{example}\"");
            return false;
        }

        var partition = PartitionOf(region);
        if (arnPartition != partition)
        {
            item.ErrorValue("endpoint", endpoint, $"is in partition '{arnPartition}', but the environment deploys to partition '{partition}' ({region}); SNS does not deliver across partitions",
                $"use an ARN starting arn:{partition}:{service}:");
            return false;
        }

        if (!Region().IsMatch(arnRegion) || PartitionOf(arnRegion) != partition)
        {
            item.ErrorValue("endpoint", endpoint, $"has region '{arnRegion}', not a region of partition '{partition}'", $"give the region of {what}, e.g. {region}");
            return false;
        }

        if (!AccountId().IsMatch(arnAccount))
        {
            item.ErrorValue("endpoint", endpoint, $"has account '{arnAccount}', not a 12-digit account id", $"give the ARN of {what}, e.g. \"{example}\"");
            return false;
        }

        if (accountId.Length > 0 && arnAccount != accountId)
        {
            // aws_sns_topic_subscription: a queue in another account must be subscribed with that account's provider, or Terraform
            // re-creates the subscription on every apply; aws_lambda_permission can only be added by the function's account.
            item.ErrorValue("endpoint", endpoint, $"is in account {arnAccount}, not the environment's account {accountId}: this stack's provider " +
                (service == "sqs" ? "cannot keep a cross-account queue subscription in its state" : "cannot grant SNS the permission to invoke another account's function"),
                $"use {what} of account {accountId}; a subscriber in another account must be subscribed from that account, which this stack does not manage");
            return false;
        }

        if (sameRegion && region.Length > 0 && arnRegion != region)
        {
            item.ErrorValue("endpoint", endpoint, $"is in region {arnRegion}, not the environment's region {region}: the stack adds the function's " +
                "invoke permission through its own region's Lambda endpoint", $"subscribe a function in {region}");
            return false;
        }

        if (checkResource(resource) is { } bad)
        {
            item.ErrorValue("endpoint", endpoint, bad.Problem, bad.Fix);
            return false;
        }

        return true;
    }

    private static string PartitionOf(string region) => region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    private static readonly Regex ModelId = new(@"^[a-z0-9-]+\.[a-z0-9][a-z0-9.:-]{2,126}$");
    private static readonly Regex ProfileId = new(@"^(|[a-z]{2,4}\.[a-z0-9-]+\.[a-z0-9][a-z0-9.:-]{2,126})$");
    private static readonly Regex RegionName = new(@"^[a-z]{2}(-gov)?-[a-z]+-\d$");
    private static readonly Regex RepoPath = new(@"^(?!/)(?!.*\.\.)[A-Za-z0-9_./-]{1,200}$");

    private static AgentConfig ReadAgent(ConfigReader root, string region, bool production, Dictionary<string, FunctionSettings> functions)
    {
        var a = root.OptionalObject("agent", "give the analyst agent's settings as an object, e.g. {\"idleSessionTtlSeconds\": 600}");
        var model = a.OptionalString("foundationModel", ModelId, "a Bedrock model id such as anthropic.claude-sonnet-4-5-20250929-v1:0",
            "use a model id from 'aws bedrock list-foundation-models'", "anthropic.claude-sonnet-4-5-20250929-v1:0");
        var profile = a.OptionalString("inferenceProfile", ProfileId, "an inference profile id such as us.anthropic.claude-sonnet-4-5-20250929-v1:0, or \"\"",
            "use a profile id from 'aws bedrock list-inference-profiles', or \"\" to call the model directly", "us." + model);
        if (profile.Length > 0 && !profile.EndsWith("." + model, StringComparison.Ordinal))
        {
            a.ErrorValue("inferenceProfile", profile, $"does not route to agent.foundationModel ({model})",
                $"use the profile of that model, e.g. \"us.{model}\", or change foundationModel");
        }

        var listed = a.OptionalStringList("inferenceProfileRegions", RegionName, "an AWS region such as us-east-2",
            "list the regions the inference profile routes to ('aws bedrock get-inference-profile')");
        var known = profile.Length == 0 ? [region] : InferenceProfiles.DestinationRegions(profile, region);
        if (listed is null && known is null && profile.EndsWith("." + model, StringComparison.Ordinal) && RegionName.IsMatch(region))
        {
            a.Error("inferenceProfileRegions", null,
                $"is required for the inference profile {profile} called from {region}: its destination regions are not in the platform's table of verified profiles (they differ by profile and by source region)",
                $"list them from 'aws bedrock get-inference-profile --region {region} --inference-profile-identifier {profile}' (the regions of models[].modelArn)");
        }

        var regions = listed ?? known ?? [region];
        if (profile.Length > 0 && RegionName.IsMatch(region) && !regions.Contains(region))
        {
            a.ErrorValue("inferenceProfileRegions", "[" + string.Join(", ", regions) + "]", $"does not include the stack's region {region}",
                $"add \"{region}\" (a profile always serves its own region)");
        }

        var instruction = a.OptionalString("instructionFile", RepoPath, "a path relative to the repository root",
            "point to a text file in the repository, e.g. agent/instruction.md", "agent/instruction.md");
        var ttl = a.OptionalInt("idleSessionTtlSeconds", 60, 3600, "Bedrock keeps idle sessions 60 to 3600 seconds", production ? 900 : 600);
        var embedding = a.OptionalString("embeddingModel", ModelId, "a Bedrock embedding model id such as amazon.titan-embed-text-v2:0",
            "use an embedding model id from 'aws bedrock list-foundation-models --by-output-modality EMBEDDING'", "amazon.titan-embed-text-v2:0");
        var dimensions = a.OptionalIntOneOf("embeddingDimensions", [256, 384, 512, 1024, 1536, 3072], "use the dimensions the embedding model produces (Titan v2: 256, 512 or 1024)", 1024);
        var documents = a.OptionalString("knowledgeBaseDocuments", RepoPath, "a folder relative to the repository root",
            "point to the folder of the knowledge base's documents, e.g. agent/knowledge-base", "agent/knowledge-base");
        var standby = a.OptionalBool("standbyReplicas", "use true for a second availability zone (the production tier's default) or false", production);
        foreach (var (folder, settings) in ReadFunctions(a, FunctionSizes.Where(f => f.Section == "agent"), production))
        {
            functions[folder] = settings;
        }

        a.RejectUnknownFields();
        return new AgentConfig
        {
            FoundationModel = model,
            InferenceProfile = profile,
            InferenceProfileRegions = regions,
            InstructionFile = instruction,
            IdleSessionTtlSeconds = ttl,
            EmbeddingModel = embedding,
            EmbeddingDimensions = dimensions,
            KnowledgeBaseDocuments = documents,
            StandbyReplicas = standby,
        };
    }

    /// <summary>A function's size: memory in MB, timeout in seconds, reserved concurrency.</summary>
    /// <param name="Memory">Memory in MB.</param>
    /// <param name="Timeout">Timeout in seconds.</param>
    /// <param name="Concurrency">Reserved concurrency.</param>
    public sealed record FunctionSize(int Memory, int Timeout, int Concurrency);

    /// <summary>Where a function's settings are in the environment file, and its tier defaults when they are not the standard ones.</summary>
    /// <param name="Folder">The function's folder under functions/, e.g. <c>StreamProcessor</c>.</param>
    /// <param name="Section">The object holding its settings: <c>functions</c> (the convention) or <c>agent</c>.</param>
    /// <param name="Field">Its field there: by convention the folder in camelCase.</param>
    /// <param name="Default">Its size outside the production tier.</param>
    /// <param name="Production">Its size in the production tier.</param>
    public sealed record FunctionPlace(string Folder, string Section, string Field, FunctionSize Default, FunctionSize Production);

    /// <summary>The standard size of a function of a tier: 256 MB, 30 s, 5 concurrent (production tier 512 MB, 30 s, 20).</summary>
    public static FunctionSize StandardSize(bool production) => production ? new(512, 30, 20) : new(256, 30, 5);

    /// <summary>
    /// The functions the loader always reads (so the configuration reference lists them), in the order it reads them:
    /// those whose defaults are not the standard size, and those whose settings are not at the conventional
    /// <c>functions.&lt;folder in camelCase&gt;</c> (the agent's two, kept where the environment files have them). Any other
    /// function needs no line here: <c>functions.&lt;folder in camelCase&gt;</c> sizes it, or the standard size does.
    /// </summary>
    public static readonly IReadOnlyList<FunctionPlace> FunctionSizes =
    [
        new("StreamProcessor", "functions", "streamProcessor", new(512, 60, 10), new(1024, 60, 100)),
        new("AlertHandler", "functions", "alertHandler", StandardSize(false), StandardSize(true)),
        new("AgentTools", "agent", "toolsFunction", StandardSize(false), StandardSize(true)),
        new("KnowledgeBaseSetup", "agent", "knowledgeBaseSetupFunctions", new(256, 300, 1), new(256, 300, 1)),
    ];

    /// <summary>The folder of the function a <c>functions</c> field names: the field with its first letter upper-cased.</summary>
    public static string FolderOf(string field) => field.Length == 0 ? field : char.ToUpperInvariant(field[0]) + field[1..];

    private static Dictionary<string, FunctionSettings> ReadFunctions(ConfigReader parent, IEnumerable<FunctionPlace> places, bool production) =>
        places.ToDictionary(f => f.Folder, f => ReadFunction(parent, f.Field, production ? f.Production : f.Default), StringComparer.Ordinal);

    private static FunctionSettings Settings(FunctionSize size) =>
        new() { MemoryMb = size.Memory, TimeoutSeconds = size.Timeout, ReservedConcurrency = size.Concurrency };

    private static FunctionSettings ReadFunction(ConfigReader parent, string name, FunctionSize defaults)
    {
        var f = parent.OptionalObject(name, $"give {name}'s settings as an object, e.g. {{\"memoryMb\": 512}}");
        var settings = new FunctionSettings
        {
            MemoryMb = f.OptionalInt("memoryMb", 128, 10240, "Lambda memory is 128 to 10240 MB", defaults.Memory),
            TimeoutSeconds = f.OptionalInt("timeoutSeconds", 1, 900, "Lambda timeouts are 1 to 900 seconds", defaults.Timeout),
            ReservedConcurrency = f.OptionalInt("reservedConcurrency", 1, 1000,
                "use 1 to 1000 (0 would stop the function; raise the account's concurrency quota above 1000 first)", defaults.Concurrency),
        };
        f.RejectUnknownFields();
        return settings;
    }

    private static TrafficConfig ReadTraffic(ConfigReader root, EnvironmentTier tier)
    {
        var t = root.OptionalObject("traffic", "give the traffic profile as an object, e.g. {\"averageTps\": 10, \"peakTps\": 50}");
        var (avg, peak, users, sessions) = tier switch
        {
            EnvironmentTier.Production => (100.0, 500.0, 5_000_000, 500),
            EnvironmentTier.Preproduction => (10.0, 50.0, 50_000, 50),
            _ => (1.0, 5.0, 1_000, 20),
        };
        var traffic = new TrafficConfig
        {
            AverageTps = t.OptionalDouble("averageTps", 0, 1_000_000, "give the monthly average in transactions per second (0 to 1000000)", avg),
            PeakTps = t.OptionalDouble("peakTps", 0, 1_000_000, "give the busiest minute in transactions per second (0 to 1000000)", peak),
            RecordSizeBytes = t.OptionalInt("recordSizeBytes", 1, 16384, "records are 1 to 16384 bytes (the transaction contract's limit)", 600),
            FraudRate = t.OptionalDouble("fraudRate", 0, 1, "give the share of REVIEW or DECLINE decisions as a fraction from 0 to 1 (2% = 0.02)", 0.02),
            ActiveUsers = t.OptionalInt("activeUsers", 0, 2_000_000_000, "give the number of user profiles kept (0 to 2000000000)", users),
            AgentSessionsPerDay = t.OptionalInt("agentSessionsPerDay", 0, 10_000_000, "give analyst sessions per day (0 to 10000000)", sessions),
            AgentTurnsPerSession = t.OptionalInt("agentTurnsPerSession", 1, 1000, "give questions per session (1 to 1000)", 4),
            AgentInputTokensPerTurn = t.OptionalInt("agentInputTokensPerTurn", 0, 10_000_000, "give model input tokens per turn (0 to 10000000)", 15_000),
            AgentOutputTokensPerTurn = t.OptionalInt("agentOutputTokensPerTurn", 0, 1_000_000, "give model output tokens per turn (0 to 1000000)", 800),
            AgentToolCallsPerTurn = t.OptionalInt("agentToolCallsPerTurn", 0, 100, "give agent-tools calls per turn (0 to 100)", 2),
            KnowledgeBaseQueriesPerTurn = t.OptionalInt("knowledgeBaseQueriesPerTurn", 0, 100, "give knowledge-base retrievals per turn (0 to 100)", 1),
            KnowledgeBaseMegabytes = t.OptionalDouble("knowledgeBaseMegabytes", 0, 1_000_000, "give the size of the knowledge base's documents in MB", 5),
        };
        if (traffic.PeakTps < traffic.AverageTps)
        {
            t.ErrorValue("peakTps", traffic.PeakTps, $"is below averageTps ({traffic.AverageTps.ToString(System.Globalization.CultureInfo.InvariantCulture)})",
                "set peakTps to the busiest minute's rate, at least averageTps");
        }

        t.RejectUnknownFields();
        return traffic;
    }

    /// <summary>A valid environment name close to <paramref name="name"/>, for the rename hint.</summary>
    private static string Suggestion(string name)
    {
        var plain = new string(name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).ToArray());
        plain = plain.Length > 7 ? plain[..7] : plain;
        return EnvironmentName().IsMatch(plain) ? plain : "qa";
    }

    /// <summary>
    /// The promotion order the files' <c>promotesTo</c> links make: each names an environment that exists (so deleting
    /// <c>prod.json</c> or <c>staging.json</c> fails at the environment promoting to it), never a lower tier, and
    /// receives from one environment only; the links form chains, not cycles.
    /// </summary>
    private static void CheckPromotion(List<EnvironmentConfig> configs, List<string> names, string displayDirectory, List<string> errors)
    {
        var byName = configs.ToDictionary(c => c.Environment, StringComparer.Ordinal);
        foreach (var c in configs)
        {
            if (c.PromotesTo is not { } to)
            {
                continue;
            }

            if (!names.Contains(to))
            {
                var others = configs.Where(o => o != c && o.Tier >= c.Tier).Select(o => o.Environment).ToList();
                errors.Add($"{c.SourceFile}: field 'promotesTo' = \"{to}\": there is no environment '{to}' ({displayDirectory}/{to}.json does not exist). " +
                           $"Fix: restore {displayDirectory}/{to}.json, " +
                           (others.Count > 0 ? $"promote to one of {string.Join(", ", others)}, " : "") +
                           $"or omit promotesTo if {c.Environment} is the last environment of its promotion chain.");
            }
            else if (byName.TryGetValue(to, out var target) && target.Tier < c.Tier)
            {
                errors.Add($"{c.SourceFile}: field 'promotesTo' = \"{to}\": promotes from the {TierName(c.Tier)} tier back to the " +
                           $"{TierName(target.Tier)} tier of {to}: a build moves towards production. Fix: promote {c.Environment} to an " +
                           $"environment of the {TierName(c.Tier)} tier or a later one, or omit promotesTo.");
            }
        }

        foreach (var group in configs.Where(c => c.PromotesTo is not null).GroupBy(c => c.PromotesTo!).Where(g => g.Count() > 1))
        {
            var from = group.Select(c => c.Environment).ToList();
            errors.Add($"{string.Join(", ", group.Select(c => c.SourceFile))}: field 'promotesTo' = \"{group.Key}\" in " +
                       $"{string.Join(" and ", from)}: an environment receives the build of one environment only (a production " +
                       $"deploy is checked against it). Fix: chain them ({string.Join(" → ", from)} → {group.Key}), or omit promotesTo " +
                       "in all of them but one.");
        }

        // Follow each chain from every environment: a walk that comes back to where it started is a cycle (reported once,
        // from its first environment in file order).
        var inCycle = new HashSet<string>(StringComparer.Ordinal);
        foreach (var start in configs.Where(c => !inCycle.Contains(c.Environment)))
        {
            var chain = new List<EnvironmentConfig> { start };
            while (chain[^1].PromotesTo is { } next && byName.TryGetValue(next, out var n) && !chain.Contains(n))
            {
                chain.Add(n);
            }

            if (chain.Count > 1 && chain[^1].PromotesTo == start.Environment)
            {
                inCycle.UnionWith(chain.Select(c => c.Environment));
                errors.Add($"{string.Join(", ", chain.Select(c => c.SourceFile))}: field 'promotesTo' links " +
                           $"{string.Join(" → ", chain.Append(start).Select(c => c.Environment))} in a cycle: no environment of it " +
                           "comes first. Fix: omit promotesTo in the environment that is deployed last.");
            }
        }
    }

    private static void CheckAcrossEnvironments(List<EnvironmentConfig> configs, List<string> errors)
    {
        foreach (var group in configs.GroupBy(c => c.State.Bucket).Where(g => g.Count() > 1))
        {
            var envs = group.Select(c => c.Environment).ToList();
            errors.Add($"{string.Join(", ", group.Select(c => c.SourceFile))}: field 'state.bucket' = \"{group.Key}\" is used by " +
                       $"{string.Join(" and ", envs)}: each environment's bootstrap stack creates its own state bucket. " +
                       "Fix: give every environment its own state.bucket.");
        }
    }

    /// <summary>
    /// <c>streaming.maximumRecordAgeSeconds</c>: 60 to the transactions stream's retention (at most the API's 604800 s).
    /// Default: the retention less one hour (at most 604800 s), so that a batch still failing after any outage up to the
    /// retention is discarded to the on-failure bucket, with its data, before Kinesis trims its records. -1 (no age limit)
    /// is refused: Lambda then retries until Kinesis trims the records, which then reach no destination.
    /// </summary>
    private static int ReadRecordAge(ConfigReader st, int retentionHours)
    {
        var retentionSeconds = (long)retentionHours * 3600;
        var max = (int)Math.Min(retentionSeconds, StreamingConfig.MaximumRecordAgeLimit);
        var fallback = StreamingConfig.DefaultRecordAge(retentionHours);
        var age = st.OptionalInt("maximumRecordAgeSeconds", -1, StreamingConfig.MaximumRecordAgeLimit,
            $"use 60 to {max} seconds (default {fallback}: the transactions stream's retention less an hour)", fallback);
        if (age == -1)
        {
            st.ErrorValue("maximumRecordAgeSeconds", age,
                "-1 (no age limit) lets Lambda retry a failing batch until Kinesis trims its records, and trimmed records reach no on-failure destination: they are lost",
                $"use the transactions stream's retention less an hour ({fallback}, the default) or any value from 60 to {max}");
            return fallback;
        }

        if (age < 60 || age > max)
        {
            st.ErrorValue("maximumRecordAgeSeconds", age,
                $"is out of range: must be between 60 and {max} (the transactions stream keeps records {retentionHours} h = {retentionSeconds} s, and the API allows at most {StreamingConfig.MaximumRecordAgeLimit} s); " +
                "an age beyond the retention is never reached, since Kinesis trims the records first",
                $"use {fallback} (the default: the retention less an hour), or raise streaming.transactionsRetentionHours");
            return fallback;
        }

        return age;
    }
}
