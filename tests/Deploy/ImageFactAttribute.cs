namespace Bridge.Deploy.Tests;

/// <summary>
/// A test that builds the container images: minutes of work (a Debian rootfs, the .NET SDK in a base, a
/// publish per service), so it runs only with BRIDGE_IMAGE_TESTS=1 (`make images` builds them too).
/// </summary>
public sealed class ImageFactAttribute : FactAttribute
{
    public const string Switch = "BRIDGE_IMAGE_TESTS";

    public ImageFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Switch) != "1")
        {
            Skip = $"Builds the images with buildah (minutes): set {Switch}=1 to run it, as root with buildah and debootstrap installed (make images installs them).";
        }
    }
}
