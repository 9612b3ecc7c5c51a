using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

// Alike on purpose: every rule file has this shape (a static class of SecurityRule records: Id, ScannerIds, Title, Fix,
// ResourceTypes, Evaluate), one file per service as cdk-nag's rule packs; the engine (SecurityPolicy) is elsewhere.
/// <summary>
/// The rules of S3 buckets, one per control. A bucket's settings are companion resources (versioning, encryption,
/// public access block, ...), found through their <c>bucket</c> attribute; the rules report the bucket.
/// </summary>
internal static class S3Rules
{
    private const string Bucket = "aws_s3_bucket";

    /// <summary>The rules, in report order.</summary>
    public static IReadOnlyList<SecurityRule> Rules { get; } =
    [
        new()
        {
            Id = "FTF-S3-001", ScannerIds = "CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56, CKV2_AWS_6; Trivy AVD-AWS-0086/0087/0091/0093/0094",
            Title = "S3 buckets have a public access block with all four settings true",
            Fix = "add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true (SecureBucket does)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => S3PublicAccessBlock(r, s),
        },
        new()
        {
            Id = "FTF-S3-002", ScannerIds = "CKV_AWS_19, CKV_AWS_145; Trivy AVD-AWS-0088/0132",
            Title = "S3 buckets encrypt by default with SSE-KMS and a customer-managed key",
            Fix = "add an aws_s3_bucket_server_side_encryption_configuration whose rule has sse_algorithm \"aws:kms\" (or \"aws:kms:dsse\") and kms_master_key_id = <customer-managed key ARN> (SecureBucket with a Key does)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => S3Encryption(r, s),
        },
        new()
        {
            Id = "FTF-S3-003", ScannerIds = "CKV_AWS_21; Trivy AVD-AWS-0090",
            Title = "S3 buckets are versioned",
            Fix = "add an aws_s3_bucket_versioning for the bucket with versioning_configuration { status = \"Enabled\" }",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_versioning")
                .Any(v => Block(v.Body["versioning_configuration"]) is { } c && Str(c["status"]) == "Enabled")
                ? [] : ["no aws_s3_bucket_versioning with status \"Enabled\" for this bucket"],
        },
        new()
        {
            Id = "FTF-S3-004", ScannerIds = "CKV_AWS_18; Trivy AVD-AWS-0089",
            Title = "S3 buckets have server access logging",
            Fix = "add an aws_s3_bucket_logging for the bucket (SecureBucketConfig.AccessLogs); on the log target bucket itself, except this rule",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_logging").Any(l => IsSet(Str(l.Body["target_bucket"])))
                ? [] : ["no aws_s3_bucket_logging for this bucket"],
        },
        new()
        {
            Id = "FTF-S3-005", ScannerIds = "CKV2_AWS_61",
            Title = "S3 buckets have a lifecycle configuration",
            Fix = "add an aws_s3_bucket_lifecycle_configuration for the bucket (SecureBucket does)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_lifecycle_configuration").Any()
                ? [] : ["no aws_s3_bucket_lifecycle_configuration for this bucket"],
        },
        new()
        {
            Id = "FTF-S3-006", ScannerIds = "CKV_AWS_300",
            Title = "S3 lifecycle configurations abort incomplete multipart uploads",
            Fix = "add an enabled lifecycle rule with abort_incomplete_multipart_upload { days_after_initiation = 7 } (SecureBucketConfig.AbortIncompleteMultipartUploadDays)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_lifecycle_configuration")
                .SelectMany(l => Blocks(l.Body["rule"]))
                .Any(rule => Str(rule["status"]) == "Enabled"
                    && Blocks(rule["abort_incomplete_multipart_upload"]).Any(a => Number(a["days_after_initiation"]) is not null))
                ? [] : ["no enabled lifecycle rule of this bucket sets abort_incomplete_multipart_upload.days_after_initiation"],
        },
        new()
        {
            Id = "FTF-S3-007", ScannerIds = "CKV_AWS_379",
            Title = "S3 bucket policies deny requests without TLS",
            Fix = "add an aws_s3_bucket_policy with a Deny statement for Principal \"*\" under Condition Bool aws:SecureTransport = \"false\" (SecureBucket does)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => S3TlsOnly(r, s),
        },
        new()
        {
            Id = "FTF-S3-008", ScannerIds = "CKV2_AWS_65",
            Title = "S3 buckets disable ACLs (object ownership BucketOwnerEnforced)",
            Fix = "add an aws_s3_bucket_ownership_controls for the bucket with rule { object_ownership = \"BucketOwnerEnforced\" }",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => s.CompanionsOf(r, "aws_s3_bucket_ownership_controls")
                .Any(o => Blocks(o.Body["rule"]).Any(rule => Str(rule["object_ownership"]) == "BucketOwnerEnforced"))
                ? [] : ["no aws_s3_bucket_ownership_controls with object_ownership \"BucketOwnerEnforced\" for this bucket"],
        },
        new()
        {
            Id = "FTF-S3-009", ScannerIds = "CKV_AWS_143",
            Title = "Audit-log buckets (name containing \"audit\") have S3 Object Lock",
            Fix = "set object_lock_enabled = true on the bucket and add an aws_s3_bucket_object_lock_configuration (SecureBucketConfig.ObjectLockRetentionDays)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => S3ObjectLock(r, s),
        },
        new()
        {
            Id = "FTF-S3-010", ScannerIds = "AWS S3 User Guide: server access logging",
            Title = "Server-access-log target buckets have no Object Lock default retention",
            Fix = "deliver server access logs to a bucket without an Object Lock default retention (S3 cannot deliver into one)",
            ResourceTypes = [Bucket],
            Evaluate = (r, s) => S3LogTargetRetention(r, s),
        },
    ];

    private static IEnumerable<string> S3PublicAccessBlock(StackResource bucket, StackDocument stack)
    {
        var blocks = stack.CompanionsOf(bucket, "aws_s3_bucket_public_access_block").ToList();
        if (blocks.Count == 0)
        {
            yield return "no aws_s3_bucket_public_access_block for this bucket";
            yield break;
        }

        string[] settings = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
        if (blocks.Any(b => settings.All(s => IsTrue(b.Body[s]))))
        {
            yield break;
        }

        var b = blocks[0];
        yield return $"{b.Address} does not set {string.Join(", ", settings.Where(s => !IsTrue(b.Body[s])))} to true";
    }

    private static IEnumerable<string> S3Encryption(StackResource bucket, StackDocument stack)
    {
        var configs = stack.CompanionsOf(bucket, "aws_s3_bucket_server_side_encryption_configuration").ToList();
        if (configs.Count == 0)
        {
            yield return "no aws_s3_bucket_server_side_encryption_configuration for this bucket (SSE-S3 applies)";
            yield break;
        }

        var defaults = configs.SelectMany(c => Blocks(c.Body["rule"]))
            .SelectMany(rule => Blocks(rule["apply_server_side_encryption_by_default"]))
            .ToList();
        if (defaults.Any(d => Str(d["sse_algorithm"]) is "aws:kms" or "aws:kms:dsse"
            && IsSet(Str(d["kms_master_key_id"])) && !EncryptionChecks.IsAwsManagedAlias(Str(d["kms_master_key_id"])!, "alias/aws/s3")))
        {
            yield break;
        }

        var first = defaults.FirstOrDefault();
        var algorithm = first is null ? null : Str(first["sse_algorithm"]);
        yield return algorithm switch
        {
            null => "the encryption configuration sets no apply_server_side_encryption_by_default.sse_algorithm",
            "aws:kms" or "aws:kms:dsse" => "sse_algorithm is " + Quote(algorithm) + " but kms_master_key_id is not a customer-managed key (the AWS-managed key aws/s3 applies)",
            _ => $"default encryption is sse_algorithm {Quote(algorithm)}, not SSE-KMS with a customer-managed key",
        };
    }

    private static IEnumerable<string> S3TlsOnly(StackResource bucket, StackDocument stack)
    {
        var policies = stack.CompanionsOf(bucket, "aws_s3_bucket_policy").ToList();
        if (policies.Count == 0)
        {
            yield return "no aws_s3_bucket_policy for this bucket, so requests without TLS are not denied";
            yield break;
        }

        var unreadable = new List<string>();
        foreach (var p in policies)
        {
            if (!PolicyText.TryParse(p.Body["policy"], out var statements, out var problem))
            {
                unreadable.Add($"{p.Address}.policy {problem}");
                continue;
            }

            if (statements.Any(s => s.IsDeny && DeniesInsecureTransport(s.Condition)))
            {
                yield break;
            }
        }

        yield return unreadable.Count > 0
            ? string.Join("; ", unreadable)
            : "the bucket policy has no Deny statement with Condition Bool aws:SecureTransport = \"false\"";
    }

    private static bool DeniesInsecureTransport(JsonNode? condition)
    {
        var value = condition?["Bool"]?["aws:SecureTransport"];
        return Strings(value).Any(v => v.Equals("false", StringComparison.OrdinalIgnoreCase))
            || (value is JsonValue b && b.TryGetValue<bool>(out var flag) && !flag);
    }

    private static IEnumerable<string> S3ObjectLock(StackResource bucket, StackDocument stack)
    {
        var name = Str(bucket.Body["bucket"]) ?? Str(bucket.Body["bucket_prefix"]);
        if (name is null || !name.Contains("audit", StringComparison.OrdinalIgnoreCase))
        {
            yield break;
        }

        if (!IsTrue(bucket.Body["object_lock_enabled"]))
        {
            yield return $"audit-log bucket {Quote(name)} does not set object_lock_enabled = true";
        }

        if (!stack.CompanionsOf(bucket, "aws_s3_bucket_object_lock_configuration").Any())
        {
            yield return $"audit-log bucket {Quote(name)} has no aws_s3_bucket_object_lock_configuration (no default retention)";
        }
    }

    private static IEnumerable<string> S3LogTargetRetention(StackResource bucket, StackDocument stack)
    {
        var names = ReferencesTo(bucket);
        var isLogTarget = stack.OfType("aws_s3_bucket_logging").Any(l => Str(l.Body["target_bucket"]) is { } t && names.Contains(t));
        if (isLogTarget && stack.CompanionsOf(bucket, "aws_s3_bucket_object_lock_configuration")
                .Any(c => Block(c.Body["rule"])?["default_retention"] is not null))
        {
            yield return "the bucket receives server access logs but has an Object Lock default retention, so log delivery fails";
        }
    }

    /// <summary>
    /// The resources of <paramref name="type"/> whose <c>bucket</c> attribute names <paramref name="bucket"/>: a reference to
    /// its <c>id</c> or <c>bucket</c> attribute, or its literal name.
    /// </summary>
    private static IEnumerable<StackResource> CompanionsOf(this StackDocument stack, StackResource bucket, string type)
    {
        var names = ReferencesTo(bucket);
        return stack.OfType(type).Where(c => Str(c.Body["bucket"]) is { } b && names.Contains(b));
    }

    /// <summary>The strings by which other resources name <paramref name="bucket"/>: references to its id or name, or the literal name.</summary>
    private static IReadOnlySet<string> ReferencesTo(StackResource bucket)
    {
        var names = new HashSet<string>(StringComparer.Ordinal)
        {
            $"${{aws_s3_bucket.{bucket.Name}.id}}",
            $"${{aws_s3_bucket.{bucket.Name}.bucket}}",
        };
        if (Str(bucket.Body["bucket"]) is { Length: > 0 } name)
        {
            names.Add(name);
        }

        return names;
    }
}
