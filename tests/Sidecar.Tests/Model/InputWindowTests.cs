using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class InputWindowTests
{
    [Fact]
    public void CarriesShortGapsForward()
    {
        float[] window = [float.NaN, 2, float.NaN, 4, 5, 6, 7, 8];
        Assert.True(InputWindow.TryFillGaps(window));
        Assert.Equal([2f, 2, 2, 4, 5, 6, 7, 8], window);
    }

    [Fact]
    public void RefusesAMissingNewestStepOrTooManyGaps()
    {
        Assert.False(InputWindow.TryFillGaps(new float[] { 1, 2, 3, float.NaN }));
        Assert.False(InputWindow.TryFillGaps(new float[] { float.NaN, float.NaN, float.NaN, 4, 5, 6, 7, 8 }));
        Assert.True(InputWindow.TryFillGaps(new float[] { 1, 2, 3, 4 }));
    }
}
