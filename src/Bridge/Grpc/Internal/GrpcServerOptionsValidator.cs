using Microsoft.Extensions.Options;

namespace Bridge.Grpc.Internal;

/// <summary>Checks <see cref="GrpcServerOptions"/> at start, naming the configuration key of every problem.</summary>
internal sealed class GrpcServerOptionsValidator : IValidateOptions<GrpcServerOptions>
{
    private const string Prefix = GrpcServerOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, GrpcServerOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{Prefix}{nameof(options.Port)} must be between 0 and 65535 (got {options.Port}).");
        }
        if (options.MaxReceiveMessageSize <= 0)
        {
            failures.Add($"{Prefix}{nameof(options.MaxReceiveMessageSize)} must be a positive number of bytes (got {options.MaxReceiveMessageSize}).");
        }
        if (options.MaxSendMessageSize <= 0)
        {
            failures.Add($"{Prefix}{nameof(options.MaxSendMessageSize)} must be a positive number of bytes (got {options.MaxSendMessageSize}).");
        }
        if (options.MaxStreamsPerConnection <= 0)
        {
            failures.Add($"{Prefix}{nameof(options.MaxStreamsPerConnection)} must be at least 1 (got {options.MaxStreamsPerConnection}).");
        }
        if (options.KeepAlivePingDelay <= TimeSpan.Zero && options.KeepAlivePingDelay != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{Prefix}{nameof(options.KeepAlivePingDelay)} must be positive or infinite (got {options.KeepAlivePingDelay}).");
        }
        if (options.KeepAlivePingTimeout <= TimeSpan.Zero && options.KeepAlivePingTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{Prefix}{nameof(options.KeepAlivePingTimeout)} must be positive or infinite (got {options.KeepAlivePingTimeout}).");
        }
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath))
            {
                failures.Add($"{Prefix}{nameof(options.CertificateKeyPath)} is set but {Prefix}{nameof(options.CertificatePath)} is not.");
            }
        }
        else
        {
            if (!File.Exists(options.CertificatePath))
            {
                failures.Add($"{Prefix}{nameof(options.CertificatePath)} '{options.CertificatePath}' does not exist.");
            }
            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath) && !File.Exists(options.CertificateKeyPath))
            {
                failures.Add($"{Prefix}{nameof(options.CertificateKeyPath)} '{options.CertificateKeyPath}' does not exist.");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
