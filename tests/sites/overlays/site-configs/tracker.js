window.trackerRan = true;
