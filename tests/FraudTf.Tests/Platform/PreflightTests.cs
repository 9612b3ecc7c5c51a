using System.Diagnostics;
using FraudTf.Tests.Support;

namespace FraudTf.Tests.Platform;

/// <summary>plan/deploy/bootstrap stop at once, with a fix, when what they need is missing (scripts/preflight.sh).</summary>
[TestFixture]
public class PreflightTests
{
    private static (int Code, string Stderr) Run(string? env, Dictionary<string, string?> vars)
    {
        var psi = new ProcessStartInfo("bash", ["scripts/preflight.sh", env ?? ""])
        {
            WorkingDirectory = Repo.Root,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_SHARED_CREDENTIALS_FILE" })
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "fraudtf-empty-home");
        foreach (var (k, v) in vars)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stderr);
    }

    private static string FakeTerraformDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "fraudtf-fake-terraform");
        Directory.CreateDirectory(dir);
        var tf = Path.Combine(dir, "terraform");
        File.WriteAllText(tf, "#!/bin/sh\nexit 0\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tf, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return dir;
    }

    [Test]
    public void NoEnvironment_StopsWithTheKnownOnes()
    {
        var (code, stderr) = Run(null, new());

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("no environment given. Fix: add ENV=<name>, one of: dev prod staging"));
    }

    [Test]
    public void UnknownEnvironment_Stops()
    {
        var (code, stderr) = Run("qa", new());

        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("unknown environment 'qa'"));
    }

    [Test]
    public void NoTerraform_StopsSayingHowToInstallIt()
    {
        var (code, stderr) = Run("dev", new() { ["PATH"] = "/usr/bin:/bin", ["AWS_PROFILE"] = "x" });

        Assert.That(code, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("no terraform CLI on PATH. Fix: install Terraform >= 1.10"));
    }

    [Test]
    public void NoCredentials_StopsSayingHowToProvideThem()
    {
        var (code, stderr) = Run("dev", new() { ["PATH"] = $"{FakeTerraformDir()}:/usr/bin:/bin" });

        Assert.That(code, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("no AWS credentials found for 'dev'. Fix: export AWS_PROFILE="));
    }

    [Test]
    public void TerraformAndCredentials_Pass()
    {
        var (code, stderr) = Run("prod", new() { ["PATH"] = $"{FakeTerraformDir()}:/usr/bin:/bin", ["AWS_PROFILE"] = "prod-admin" });

        Assert.That(code, Is.EqualTo(0), stderr);
    }
}
